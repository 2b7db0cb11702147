package imageproxy

import "net/netip"

// nonPublic are ranges that are not the public internet and that netip's predicates do
// not already name: addresses inside a provider's or the server's own network, ranges
// that embed an IPv4 address (which could be a private one), and reserved ones.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),      // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),       // documentation
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),    // documentation
	netip.MustParsePrefix("203.0.113.0/24"),     // documentation
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved, and the broadcast address
	netip.MustParsePrefix("2001::/32"),          // Teredo: embeds an IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),      // documentation
	netip.MustParsePrefix("2002::/16"),          // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("169.254.169.254/32"), // cloud metadata (also link-local; named for the reader)
}

// globalV6 is the part of IPv6 allocated for global unicast; the rest is reserved, local
// or special, and refused outright.
var globalV6 = netip.MustParsePrefix("2000::/3")

// PublicAddr reports whether a is a public unicast address: not loopback, private
// (RFC 1918, fc00::/7), link-local (169.254/16 with cloud metadata at 169.254.169.254,
// fe80::/10), unspecified, multicast, CGNAT, reserved or documentation, nor an
// IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo form of any of those. It is the proxy's only rule
// in production.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" || !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() ||
		a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	if a.Is6() && !globalV6.Contains(a) {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
