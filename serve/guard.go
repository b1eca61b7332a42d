package serve

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The guard: who may ask. Every request passes these checks, in order,
// before it reaches the page or the API:
//
//   - Host (loopback without a token only): the Host header must be the
//     listening address, or localhost/127.0.0.1/[::1] with its port
//     (without it too on port 80, which browsers leave out). A
//     web page whose DNS name an attacker rebinds to 127.0.0.1 sends its
//     own name, and gets 403.
//   - Token (when there is one): the cookie jitrun_token_PORT, the header
//     Authorization: Bearer T or the query parameter token=T must equal
//     it (compared in constant time); else 401. A page load carrying
//     ?token= sets the cookie and is redirected to the URL without it.
//   - Origin: a request other than GET and HEAD whose Origin header is
//     present must come from this server (http://HOST, the Host header
//     the request carries); Sec-Fetch-Site cross-site or same-site (a
//     page on another port of this host) is refused too.
//     A page elsewhere cannot make a browser post to the API: 403.
//
// Every response carries a Content-Security-Policy that lets the page
// load its script and style from this server only, and no framing.

const (
	// tokenCookiePrefix and the port name the token's cookie: a browser
	// sends a host's cookies to every port of it, so two servers on one
	// host keep a cookie each.
	tokenCookiePrefix = "jitrun_token_"
	maxHeaderBytes    = 64 << 10
	// contentSecurityPolicy: the page's own script, style and API; the
	// chart is an image from a blob: URL.
	contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// guard wraps next in the checks above.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if s.cfg.Token == "" && !s.hostAllowed(r.Host) {
			writeError(w, http.StatusForbidden, "Host %q is not this server's address (%s): requests through another name are refused (DNS rebinding)", r.Host, s.cfg.Addr)
			return
		}
		if s.cfg.Token != "" {
			if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet && r.URL.Path == "/" && s.tokenMatches(q) {
				// Keep the token in a cookie and drop it from the
				// address bar (the fragment, the code, stays).
				http.SetCookie(w, &http.Cookie{Name: s.tokenCookie, Value: q, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
				u := *r.URL
				query := u.Query()
				query.Del("token")
				u.RawQuery = query.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			if !s.tokenMatches(requestToken(r, s.tokenCookie)) {
				writeError(w, http.StatusUnauthorized, "this server needs its access token: open the URL jitrun serve printed (…/?token=…) or send Authorization: Bearer TOKEN")
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if why := crossOrigin(r); why != "" {
				writeError(w, http.StatusForbidden, "cross-origin request refused: %s", why)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether host, a request's Host header, names this
// server on loopback.
func (s *Server) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	for _, h := range s.hosts {
		if host == h {
			return true
		}
	}
	return false
}

// tokenMatches compares t with the server's token in constant time.
func (s *Server) tokenMatches(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.Token)) == 1
}

// requestToken is the token r carries: the Authorization header, the
// cookie named cookie, or the token query parameter, in that order.
func requestToken(r *http.Request, cookie string) string {
	if a := r.Header.Get("Authorization"); a != "" {
		t, ok := strings.CutPrefix(a, "Bearer ")
		if !ok {
			return ""
		}
		return strings.TrimSpace(t)
	}
	if c, err := r.Cookie(cookie); err == nil {
		return c.Value
	}
	return r.URL.Query().Get("token")
}

// crossOrigin says why r, a state-changing request, comes from another
// site, or returns "" when it may proceed: its Origin is absent (curl,
// scripts: no browser sent it) or this server's, and Sec-Fetch-Site, when
// a browser sent it, is not cross-site or same-site.
func crossOrigin(r *http.Request) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return fmt.Sprintf("Sec-Fetch-Site is %s", site)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	if u, err := url.Parse(origin); err == nil && u.Scheme == "http" && strings.EqualFold(u.Host, r.Host) {
		return ""
	}
	return fmt.Sprintf("Origin %q is not http://%s", origin, r.Host)
}
