package web

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxySet is the reverse proxies whose forwarding header is believed.
type proxySet []netip.Prefix

// parseProxies reads addresses and CIDRs ("10.0.0.1", "10.0.0.0/8", "::1").
func parseProxies(list []string) (proxySet, error) {
	var ps proxySet
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if a, err := netip.ParseAddr(p); err == nil {
			a = a.Unmap()
			ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q must be an IP address or a CIDR like 10.0.0.0/8", p)
		}
		if pre.Addr().Is4In6() && pre.Bits() >= 96 {
			pre = netip.PrefixFrom(pre.Addr().Unmap(), pre.Bits()-96)
		}
		ps = append(ps, pre.Masked())
	}
	return ps, nil
}

func (ps proxySet) contains(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address of the person behind a request, for rate limits, sessions, view
// counts and logs. Without a trusted proxy in front it is the peer's address. Behind
// trusted proxies it is read from their header (X-Forwarded-For by default) from the
// right: each proxy appends the address it saw, so the right-most entry that is not one of
// our proxies is the last address a trusted hop vouches for. Everything to its left was
// sent by the client and may be invented. If every entry is a proxy of ours, the left-most
// is the client (a person inside the proxies' network). Several headers count as one list.
// Fiber's c.IP() takes the left-most entry, which the client chooses: do not use it.
func (s *Server) clientIP(c *fiber.Ctx) string {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	remote = remote.Unmap()
	if !s.proxies.contains(remote) {
		return remote.String()
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(s.proxyHeader) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	client := remote
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		a, ok := parseHop(hop)
		if !ok {
			break // a proxy of ours wrote something unreadable: trust no further left
		}
		client = a
		if !s.proxies.contains(a) {
			break
		}
	}
	return client.String()
}

// parseHop reads one forwarding entry: an address, possibly with a port ("1.2.3.4:5678",
// "[2001:db8::1]:443"), as some load balancers write them.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}
