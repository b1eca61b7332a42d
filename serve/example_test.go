package serve_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/jitrun/jitrun/serve"
)

// A server on loopback serves its page to its own address, and refuses a
// request that reached it through another name (DNS rebinding). Serve
// would serve it on a listener; every API run goes to an isolated child.
func ExampleNew() {
	s, err := serve.New(serve.Config{Addr: "127.0.0.1:8642"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.URL())
	for _, url := range []string{"http://127.0.0.1:8642/", "http://evil.example:8642/"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// http://127.0.0.1:8642/
	// 200 text/html; charset=utf-8
	// 403 application/json
}
