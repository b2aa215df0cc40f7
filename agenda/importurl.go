package agenda

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/valid"
)

// Fetcher downloads a URL: media.Fetcher (public http or https addresses
// only, bounded in size and time), the one pasted media URLs go through.
type Fetcher interface {
	Open(ctx context.Context, rawURL string) (io.ReadCloser, error)
}

// UseFetcher lets ImportURL download calendars through f. Call it before
// serving.
func (s *Service) UseFetcher(f Fetcher) { s.fetch = f }

// CanImportURL reports whether ImportURL has a fetcher.
func (s *Service) CanImportURL() bool { return s.fetch != nil }

// ImportURL downloads an iCalendar file from rawURL (webcal:// is read as
// https://) and imports it like Import: by UID, so importing the same URL
// again updates its events instead of doubling them. Every refusal names
// the url field: an address humas will not fetch (private, not http(s),
// too large), a server that did not answer, or a file that is not
// iCalendar.
func (s *Service) ImportURL(ctx context.Context, p auth.Principal, unitID int64, rawURL, def string) (ImportResult, error) {
	unitID, def, err := s.importable(ctx, p, unitID, def)
	if err != nil {
		return ImportResult{}, err
	}
	raw := strings.TrimSpace(rawURL)
	if raw == "" {
		return ImportResult{}, valid.Invalid("url", "give the address (URL) of an iCalendar (.ics) file",
			"isi alamat (URL) berkas iCalendar (.ics)")
	}
	if s.fetch == nil {
		return ImportResult{}, valid.Invalid("url", "importing from a URL is not set up on this server; upload the .ics file instead",
			"impor dari URL belum disiapkan di server ini; unggah berkas .ics-nya")
	}
	if rest, ok := cutPrefixFold(raw, "webcal://"); ok {
		raw = "https://" + rest
	}
	body, err := s.fetch.Open(ctx, raw)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(body)
		body.Close()
	}
	if err != nil {
		var m interface{ MessageID() string }
		if errors.As(err, &m) {
			return ImportResult{}, valid.Invalid("url", err.Error(), m.MessageID())
		}
		return ImportResult{}, valid.Invalid("url", "cannot download "+raw+": "+err.Error(), "tidak dapat mengunduh "+raw+": "+err.Error())
	}
	evs, err := ParseICS(bytes.NewReader(data), s.loc)
	if err != nil {
		return ImportResult{}, valid.Invalid("url", "the address "+raw+" did not give an iCalendar (.ics) file: "+err.Error(),
			"alamat "+raw+" tidak berisi berkas iCalendar (.ics): "+err.Error())
	}
	return s.save(ctx, p, unitID, evs, def, map[string]any{"url": raw})
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
