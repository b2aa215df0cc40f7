package media_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
)

func TestImportURL(t *testing.T) {
	photo := mediatest.JPEG(800, 800)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/foto-rapat.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(photo)
		case "/gone":
			http.NotFound(w, r)
		case "/big":
			w.Header().Set("Content-Length", "999999999")
			_, _ = w.Write(photo)
		}
	}))
	defer files.Close()
	// A second server humas must never reach: a redirect target on a
	// loopback address not in the allowed list.
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(photo) }))
	defer inner.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/internal.jpg", http.StatusFound)
	}))
	defer redirect.Close()
	allowed := []string{strings.TrimPrefix(files.URL, "http://"), strings.TrimPrefix(redirect.URL, "http://")}
	e := newEnv(t, nil, func(o *media.Options) { o.Fetch.AllowAddrs = allowed })
	ctx := context.Background()

	it, err := e.lib.Import(ctx, e.editor, 0, files.URL+"/foto-rapat.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if it.Filename != "foto-rapat.jpg" || it.SourceURL != files.URL+"/foto-rapat.jpg" || it.Width != 800 {
		t.Fatalf("imported %+v", it)
	}

	for _, c := range []struct{ url, want string }{
		{inner.URL + "/internal.jpg", "private, loopback or reserved"},               // loopback, not allowed
		{"http://localhost:1/x.jpg", "private, loopback or reserved"},                // a name resolving to loopback: checked at connect
		{"http://10.1.2.3/x.jpg", "private, loopback or reserved"},                   // private range: refused before connecting
		{"http://169.254.169.254/latest/meta-data", "private, loopback or reserved"}, // link-local (cloud metadata)
		{"http://[::1]:9/x.jpg", "private, loopback or reserved"},
		{"http://100.64.1.1/x.jpg", "private, loopback or reserved"},
		{redirect.URL + "/r", "private, loopback or reserved"}, // redirected to loopback: checked again
		{"ftp://files.example.go.id/x.jpg", "scheme"},
		{"file:///etc/passwd", "scheme"},
		{"http://user:pass@files.example.go.id/x.jpg", "user name"},
		{files.URL + "/gone", "404"},
	} {
		_, err := e.lib.Import(ctx, e.editor, 0, c.url)
		var fe *media.FetchError
		if !errors.As(err, &fe) || !strings.Contains(fe.Error(), c.want) {
			t.Errorf("%s: err %v, want a FetchError saying %q", c.url, err, c.want)
			continue
		}
		if fe.MessageID() == fe.Error() {
			t.Errorf("%s: no Indonesian message", c.url)
		}
	}
	_, err = e.lib.Import(ctx, e.editor, 0, files.URL+"/big")
	var tl *media.TooLargeError
	if !errors.As(err, &tl) {
		t.Errorf("a file announcing 1 GB: %v, want TooLargeError", err)
	}
}

// TestFetcherOpen: the exported fetcher (the agenda's iCalendar import
// uses it) keeps the pasted-URL rules: the Accept header it is given, a
// private address refused, a body past the size limit refused whether
// announced or streamed, and every refusal a FetchError in both languages.
func TestFetcherOpen(t *testing.T) {
	const ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
	var accept string
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		switch r.URL.Path {
		case "/tahapan.ics":
			_, _ = w.Write([]byte(ics))
		case "/announced":
			w.Header().Set("Content-Length", "5000")
			_, _ = w.Write(make([]byte, 5000))
		case "/streamed":
			w.(http.Flusher).Flush() // chunked: no Content-Length
			for range 10 {
				_, _ = w.Write(make([]byte, 1000))
			}
		}
	}))
	defer files.Close()
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(ics)) }))
	defer inner.Close()
	f := media.NewFetcher(media.FetchOptions{MaxBytes: 4000, Accept: "text/calendar", AllowAddrs: []string{strings.TrimPrefix(files.URL, "http://")}})
	ctx := context.Background()

	body, err := f.Open(ctx, files.URL+"/tahapan.ics")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(body)
	body.Close()
	if err != nil || string(got) != ics || accept != "text/calendar" {
		t.Fatalf("read %q (%v), Accept %q", got, err, accept)
	}
	for _, c := range []struct{ url, want string }{
		{inner.URL + "/tahapan.ics", "private, loopback or reserved"},
		{"http://10.0.0.8/tahapan.ics", "private, loopback or reserved"},
		{"webcal://example.go.id/tahapan.ics", "scheme"},
		{files.URL + "/announced", "larger than 3 KB"},
		{files.URL + "/streamed", "larger than 3 KB"},
	} {
		body, err := f.Open(ctx, c.url)
		if err == nil {
			_, err = io.ReadAll(body)
			body.Close()
		}
		var fe *media.FetchError
		if !errors.As(err, &fe) || !strings.Contains(fe.Error(), c.want) || fe.MessageID() == fe.Error() {
			t.Errorf("%s: err %v, want a FetchError saying %q in both languages", c.url, err, c.want)
		}
	}
}
