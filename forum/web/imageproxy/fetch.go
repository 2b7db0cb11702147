package imageproxy

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// imageTypes are the types the proxy serves: raster formats browsers show and that
// cannot carry script. Not SVG (an SVG opened as a page runs its script), not HTML.
var imageTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true,
}

// acceptTypes is the Accept header sent upstream.
const acceptTypes = "image/avif,image/webp,image/png,image/jpeg,image/gif"

// newClient is the proxy's HTTP client: every connection goes through dial, which vets
// the addresses; no proxy from the environment (it would be dialled instead of the host,
// and the host never vetted); no cookie jar; redirects checked by checkRedirect.
func (p *Proxy) newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            p.dial,
			TLSHandshakeTimeout:    connectTimeout,
			ResponseHeaderTimeout:  fetchTimeout,
			MaxResponseHeaderBytes: maxHeaderBytes,
			DisableCompression:     true, // images are compressed already; no gzip bombs
			MaxIdleConns:           defaultMaxFetches,
			MaxIdleConnsPerHost:    2,
			IdleConnTimeout:        30 * time.Second,
		},
		CheckRedirect: p.checkRedirect,
		Timeout:       fetchTimeout,
	}
}

// checkRedirect follows at most maxRedirects redirects, each to a URL checkURL accepts
// (http or https, an allowed port, no credentials); dial vets its addresses as it did the
// first URL's.
func (p *Proxy) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrUpstream, maxRedirects)
	}
	return p.checkURL(req.URL)
}

// dial connects to an upstream host. It resolves the host itself, refuses the connection
// if any of its addresses is not allowed (so a name that resolves to a public and a
// private address is refused, whichever the dialler would try first), then dials the
// vetted addresses, not the name: a second lookup could answer differently (DNS
// rebinding). The dialler's Control hook checks the address once more at the socket.
func (p *Proxy) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	portNum, err := strconv.ParseUint(port, 10, 16)
	if err != nil || !p.ports[port] {
		return nil, fmt.Errorf("%w: port %s", ErrRefused, port)
	}
	addrs, err := p.resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("%w: resolve %s: %w", ErrUpstream, host, err)
	}
	for _, a := range addrs {
		if !p.allowAddr(a) {
			return nil, fmt.Errorf("%w: %s has the address %s", ErrRefused, host, a)
		}
	}
	d := net.Dialer{Timeout: connectTimeout, Control: p.control}
	var errs []error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(a.Unmap(), uint16(portNum)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%w: connect to %s: %w", ErrUpstream, host, errors.Join(errs...))
}

// resolve returns a host's addresses: an IP literal is its own.
func (p *Proxy) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := p.resolver.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	return addrs, err
}

// control refuses a socket about to connect to an address that is not allowed. dial
// only dials vetted addresses, so this never fires unless that changes.
func (p *Proxy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !p.allowAddr(ap.Addr()) {
		return fmt.Errorf("%w: connect to %s", ErrRefused, address)
	}
	return nil
}

// fetch gets src and returns it if it is an image of an allowed type, as declared and as
// its first bytes show, within MaxImageBytes.
func (p *Proxy) fetch(ctx context.Context, src string) (*Image, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", acceptTypes)
	resp, err := p.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d", ErrUpstream, resp.StatusCode)
	}
	declared, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if declared == "image/jpg" { // not registered, but sent by enough servers
		declared = "image/jpeg"
	}
	if err != nil || !imageTypes[declared] {
		return nil, fmt.Errorf("%w: Content-Type %q", ErrNotImage, resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength > MaxImageBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, resp.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxImageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrUpstream, err)
	}
	if len(body) > MaxImageBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxImageBytes)
	}
	if sniffed := sniff(body); sniffed != declared {
		return nil, fmt.Errorf("%w: declared %s, looks like %s", ErrNotImage, declared, sniffed)
	}
	sum := sha256.Sum256(body)
	return &Image{ContentType: declared, Body: body, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// sniff names the type of an image by its first bytes: http.DetectContentType's
// signatures, and AVIF's (an ISO media file whose brands include avif or avis), which it
// does not know.
func sniff(b []byte) string {
	if isAVIF(b) {
		return "image/avif"
	}
	return http.DetectContentType(b)
}

func isAVIF(b []byte) bool {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return false
	}
	size := int(binary.BigEndian.Uint32(b[:4]))
	if size < 16 || size > len(b) || size > 4096 {
		return false
	}
	// The major brand at 8, a version at 12, then compatible brands.
	for i := 8; i+4 <= size; i += 4 {
		if i == 12 {
			continue
		}
		if brand := string(b[i : i+4]); brand == "avif" || brand == "avis" {
			return true
		}
	}
	return false
}
