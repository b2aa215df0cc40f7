package scheduler

import (
	"fmt"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// ConfigureInstagramHashtags sets Instagram's hashtag limits that
// validation, CaptionWarnings and AllLimits (the compose counter) use: a
// caption with more than max hashtags is refused, one with more than warn
// gets a warning (scheduler.instagram_hashtags_max and _warn). max is at
// most 30, the API's own limit; warn 0 warns never.
func ConfigureInstagramHashtags(warn, max int) error {
	if max < 1 || max > meta.IGCaptionMaxHashtags {
		return fmt.Errorf("instagram hashtag maximum %d: want 1 to %d", max, meta.IGCaptionMaxHashtags)
	}
	if warn < 0 || warn > max {
		return fmt.Errorf("instagram hashtag warning %d: want 0 to the maximum (%d)", warn, max)
	}
	limitsMu.Lock()
	defer limitsMu.Unlock()
	for i := range captionLimits {
		if captionLimits[i].Platform == org.Instagram {
			captionLimits[i].Hashtags, captionLimits[i].HashtagsWarn = max, warn
		}
	}
	return nil
}

// Warned reports whether counts from CaptionStats are allowed but advised
// against (more hashtags than HashtagsWarn).
func (l CaptionLimits) Warned(chars, hashtags, mentions int) bool {
	return l.HashtagsWarn > 0 && hashtags > l.HashtagsWarn
}

// CaptionWarnings lists what a caption may carry but is advised against on
// the given platforms (more hashtags than Instagram's announced cap).
func CaptionWarnings(caption string, platforms ...string) valid.Errors {
	var w valid.Errors
	chars, tags, mentions := CaptionStats(caption)
	for _, p := range platforms {
		if l, ok := Limits(p); ok && l.Warned(chars, tags, mentions) && !l.Exceeded(chars, tags, mentions) {
			w.Add("caption", "Instagram announced a cap of %d hashtags per post; this caption has %d and may be refused or shown less",
				"Instagram mengumumkan batas %d tagar per kiriman; keterangan ini berisi %d dan bisa ditolak atau kurang ditampilkan",
				l.HashtagsWarn, tags)
		}
	}
	return w
}
