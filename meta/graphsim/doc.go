// Package graphsim is a stateful simulator of the parts of the Meta Graph API
// that humas uses: Page publishing, Instagram containers and publishing,
// reading posts and media with field expansion, insights, paging, batch
// requests, debug_token, usage headers and throttling. It is an http.Handler,
// used by tests (behind httptest.NewServer) and by sandbox mode (Start).
//
// It validates requests as strictly as Meta does, or more strictly where the
// platform's behaviour is unconfirmed, answers with Meta's shapes and error
// envelopes, injects faults on demand, and simulates a deterministic audience
// so published posts gain reach and interactions over time.
package graphsim
