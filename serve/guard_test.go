package serve

import (
	"strings"
	"testing"
)

func TestGuardLoopback(t *testing.T) {
	ts := startServer(t, Config{})
	_, port, _ := strings.Cut(ts.addr, ":")
	tests := []struct {
		name   string
		method string
		header map[string]string
		status int
		errMsg string
	}{
		{"page", "GET", nil, 200, ""},
		{"localhost", "GET", map[string]string{"Host": "localhost:" + port}, 200, ""},
		{"::1", "GET", map[string]string{"Host": "[::1]:" + port}, 200, ""},
		{"rebound name", "GET", map[string]string{"Host": "evil.example:" + port}, 403,
			`Host "evil.example:` + port + `" is not this server's address (` + ts.addr + `): requests through another name are refused (DNS rebinding)`},
		{"other port", "GET", map[string]string{"Host": "127.0.0.1:1"}, 403, `Host "127.0.0.1:1" is not this server's address`},
		{"no port", "GET", map[string]string{"Host": "localhost"}, 403, `Host "localhost" is not`},
		{"trailing dot", "GET", map[string]string{"Host": "localhost.:" + port}, 403, `Host "localhost.:` + port + `" is not`},
		{"upper case", "GET", map[string]string{"Host": "LOCALHOST:" + port}, 200, ""},
		{"rebound post", "POST", map[string]string{"Host": "evil.example:" + port}, 403, `Host "evil.example:` + port + `"`},
		{"same origin post", "POST", map[string]string{"Origin": "http://" + ts.addr}, 400, "bad JSON request"},
		{"no origin post (a script)", "POST", nil, 400, "bad JSON request"},
		{"cross-origin post", "POST", map[string]string{"Origin": "http://evil.example"}, 403,
			`cross-origin request refused: Origin "http://evil.example" is not http://` + ts.addr},
		{"other port's origin", "POST", map[string]string{"Origin": "http://127.0.0.1:1"}, 403, "cross-origin request refused"},
		{"same-site fetch (another port)", "POST", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://" + ts.addr}, 403, "cross-origin request refused: Sec-Fetch-Site is same-site"},
		{"https origin", "POST", map[string]string{"Origin": "https://" + ts.addr}, 403, "cross-origin request refused"},
		{"null origin", "POST", map[string]string{"Origin": "null"}, 403, "cross-origin request refused"},
		{"cross-site fetch", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "cross-origin request refused: Sec-Fetch-Site is cross-site"},
		{"same-origin fetch", "POST", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://" + ts.addr}, 400, "bad JSON request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := "/"
			if tc.method == "POST" {
				path = "/api/run"
			}
			status, h, body := ts.send(t, tc.method, path, "{", tc.header)
			if status != tc.status {
				t.Fatalf("HTTP %d, want %d: %s", status, tc.status, body)
			}
			if tc.errMsg != "" {
				if msg, _ := decodeDoc(t, body)["error"].(string); !strings.Contains(msg, tc.errMsg) {
					t.Errorf("error %q, want it to contain %q", msg, tc.errMsg)
				}
			}
			if h.Get("Content-Security-Policy") != contentSecurityPolicy || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("security headers missing: %v", h)
			}
		})
	}
}

func TestGuardToken(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	// A server that believes it listens on every interface: the Host
	// check gives way to the token.
	ts := startServer(t, Config{Addr: "0.0.0.0:8642", Token: token})
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		status   int
		location string
	}{
		{"no token", "GET", "/", nil, 401, ""},
		{"no token, API", "POST", "/api/run", nil, 401, ""},
		{"wrong token", "GET", "/?token=nope", nil, 401, ""},
		{"wrong bearer", "POST", "/api/run", map[string]string{"Authorization": "Bearer " + token[1:]}, 401, ""},
		{"basic auth", "POST", "/api/run", map[string]string{"Authorization": "Basic " + token}, 401, ""},
		{"URL token sets the cookie", "GET", "/?token=" + token, nil, 303, "/"},
		{"URL token keeps other parameters", "GET", "/?a=1&token=" + token, nil, 303, "/?a=1"},
		{"cookie", "GET", "/", map[string]string{"Cookie": ts.tokenCookie + "=" + token}, 200, ""},
		{"another port's cookie", "GET", "/", map[string]string{"Cookie": "jitrun_token_9999=" + token}, 401, ""},
		{"bearer", "POST", "/api/run", map[string]string{"Authorization": "Bearer " + token}, 400, ""},
		{"any host with the token", "GET", "/", map[string]string{"Cookie": ts.tokenCookie + "=" + token, "Host": "my-laptop.lan:8642"}, 200, ""},
		{"cross-origin with the token", "POST", "/api/run", map[string]string{"Cookie": ts.tokenCookie + "=" + token, "Origin": "http://evil.example"}, 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := ts.send(t, tc.method, tc.path, "{", tc.header)
			if status != tc.status {
				t.Fatalf("HTTP %d, want %d: %s", status, tc.status, body)
			}
			if status == 401 && !strings.Contains(body, "this server needs its access token") {
				t.Errorf("401 without the message: %s", body)
			}
			if tc.location != "" {
				if got := h.Get("Location"); got != tc.location {
					t.Errorf("Location %q, want %q", got, tc.location)
				}
				c := h.Get("Set-Cookie")
				if !strings.HasPrefix(c, "jitrun_token_8642="+token+";") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
					t.Errorf("Set-Cookie %q", c)
				}
			}
		})
	}
	// With the token, a run runs.
	status, _, body := ts.post(t, "/api/run", `{"hex": "48c7c02a000000c3"}`, map[string]string{"Authorization": "Bearer " + token, "Host": "my-laptop.lan:8642"})
	if status != 200 || decodeDoc(t, body)["rax"] != 42.0 {
		t.Errorf("a run with the token: HTTP %d %s", status, body)
	}
	if got, want := ts.URL(), "?token="+token; !strings.HasSuffix(got, want) {
		t.Errorf("URL() = %q, want it to end in %q", got, want)
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Addr: "0.0.0.0:8642"}, `address "0.0.0.0:8642" is not a loopback address: a token is required`},
		{Config{Addr: ":8642"}, `address ":8642" is not a loopback address`},
		{Config{Addr: "127.0.0.1:0"}, `address "127.0.0.1:0": give the port the server listens on, not 0`},
		{Config{Addr: "127.0.0.1"}, `address "127.0.0.1": address 127.0.0.1: missing port in address`},
		{Config{Addr: "0.0.0.0:8642", Token: "short"}, "token of 5 characters: want at least 16 (NewToken makes 32)"},
		{Config{Addr: "127.0.0.1:8642", Token: "0123456789abcdef; x"}, `token: character 17 (';') is not a letter, a digit, '-', '_', '.' or '~'`},
	}
	for _, tc := range tests {
		_, err := New(tc.cfg)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q…", tc.cfg, err, tc.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LocalHost": true,
		"0.0.0.0": false, "": false, "::": false, "192.168.1.5": false, "example.com": false, "localhost.example": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" || a == b {
		t.Errorf("NewToken() = %q then %q: want two different 32-digit hex tokens", a, b)
	}
}

// TestHostsDefaultPort checks that on port 80, where a browser sends the
// Host header without the port, the bare names are this server too.
func TestHostsDefaultPort(t *testing.T) {
	for addr, hosts := range map[string]map[string]bool{
		"127.0.0.1:80":   {"127.0.0.1": true, "localhost": true, "[::1]": true, "127.0.0.1:80": true, "evil.example": false, "localhost:8642": false},
		"127.0.0.1:8642": {"127.0.0.1": false, "localhost": false, "localhost:8642": true, "[::1]:8642": true},
	} {
		s, err := New(Config{Addr: addr})
		if err != nil {
			t.Fatal(err)
		}
		for host, want := range hosts {
			if got := s.hostAllowed(host); got != want {
				t.Errorf("on %s, hostAllowed(%q) = %v, want %v", addr, host, got, want)
			}
		}
	}
}
