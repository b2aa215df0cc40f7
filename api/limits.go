package api

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// DefaultMaxBodyBytes is the body limit when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes int64 = 1 << 20

const maxBodyKey = "humas.max_body"

// limitBody bounds every request body (API and web forms). A body that
// announces more than max is answered 413 at once, unread; any other is
// read through http.MaxBytesReader, so a body without a length (chunked)
// fails at max bytes and nothing larger is ever held in memory. bindJSON
// and the web form parser turn that failure into the same 413.
//
// Routes that stream large bodies (media uploads) have their own limit
// (Server.SetBodyLimit), looked up by method and route.
func limitBody(def int64, routes map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := def
		if m, ok := routes[c.Request.Method+" "+c.FullPath()]; ok {
			max = m
		}
		c.Set(maxBodyKey, max)
		if c.Request.ContentLength > max {
			c.Header("Connection", "close")
			if IsAPIPath(c.Request.URL.Path) {
				WriteError(c, tooLarge(max))
				return
			}
			c.Data(http.StatusRequestEntityTooLarge, "text/html; charset=utf-8", tooLargePage(max))
			c.Abort()
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

// SetBodyLimit gives one route (method and Gin path, e.g. "POST",
// "/api/v1/media") its own body limit instead of api.max_body_bytes. Call
// it before Start.
func (s *Server) SetBodyLimit(method, fullPath string, max int64) {
	s.bodyLimits[method+" "+fullPath] = max
}

// ExtendDeadlines gives a request that streams a large body (an upload)
// d to be read and answered, instead of the server's read and write
// timeouts, which bound every other request.
func ExtendDeadlines(c *gin.Context, d time.Duration) {
	rc := http.NewResponseController(c.Writer)
	at := time.Now().Add(d)
	_ = rc.SetReadDeadline(at)
	_ = rc.SetWriteDeadline(at)
}

// IsAPIPath reports whether path is answered in JSON (the API, probes)
// rather than with pages.
func IsAPIPath(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// tooLarge is the 413 naming the limit.
func tooLarge(max int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
		Message:   fmt.Sprintf("the request body is larger than the limit of %d bytes (%s)", max, HumanBytes(max)),
		MessageID: fmt.Sprintf("isi permintaan melebihi batas %d byte (%s)", max, HumanBytes(max)),
		Details:   gin.H{"limit_bytes": max}}
}

// tooLargePage is the plain 413 page for browsers (the pages' own
// templates are not reached: the body was refused before routing).
func tooLargePage(max int64) []byte {
	limID := html.EscapeString(fmt.Sprintf("%s (%d byte)", HumanBytes(max), max))
	limEN := html.EscapeString(fmt.Sprintf("%s (%d bytes)", HumanBytes(max), max))
	return []byte(`<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>413 · humas</title></head>
<body id="body-too-large" style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5">
<h1>Kiriman terlalu besar</h1>
<p>Isi formulir melebihi batas ` + limID + `. Perpendek isian, lalu kirim lagi.</p>
<p lang="en">The form is larger than the limit of ` + limEN + `. Shorten it and send it again.</p>
<p><a href="/calendar">Kembali ke kalender / Back to the calendar</a></p>
</body></html>
`)
}

// HumanBytes writes a byte count as KiB or MiB when it is a whole number
// of them.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
