package scheduler

import (
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

// CaptionLimits are one platform's caption limits, as validation checks
// them; 0 means no limit.
type CaptionLimits struct {
	Platform string
	Chars    int // code points
	Hashtags int
	Mentions int
	// HashtagsWarn: more hashtags than this is allowed but warned about
	// (0: no warning).
	HashtagsWarn int
}

// fbMessageMaxRunes is the longest Facebook post message.
const fbMessageMaxRunes = 63206

// igHashtagsWarn is Instagram's announced cap (5 hashtags from December
// 2025); meta.IGCaptionMaxHashtags (30) is the API reference's.
const igHashtagsWarn = 5

// captionLimits are the limits of each platform, in display order (the
// Instagram hashtag limits are configurable: ConfigureInstagramHashtags).
var (
	limitsMu      sync.RWMutex
	captionLimits = []CaptionLimits{
		{Platform: org.Facebook, Chars: fbMessageMaxRunes},
		{Platform: org.Instagram, Chars: meta.IGCaptionMaxRunes, Hashtags: meta.IGCaptionMaxHashtags, Mentions: meta.IGCaptionMaxMentions,
			HashtagsWarn: igHashtagsWarn},
	}
)

// Limits returns the caption limits validation applies to platform
// (false for an unknown platform).
func Limits(platform string) (CaptionLimits, bool) {
	limitsMu.RLock()
	defer limitsMu.RUnlock()
	for _, l := range captionLimits {
		if l.Platform == platform {
			return l, true
		}
	}
	return CaptionLimits{}, false
}

// AllLimits returns every platform's caption limits (Facebook, Instagram).
func AllLimits() []CaptionLimits {
	limitsMu.RLock()
	defer limitsMu.RUnlock()
	out := make([]CaptionLimits, len(captionLimits))
	copy(out, captionLimits)
	return out
}

// Exceeded reports whether counts from CaptionStats break these limits.
func (l CaptionLimits) Exceeded(chars, hashtags, mentions int) bool {
	return (l.Chars > 0 && chars > l.Chars) || (l.Hashtags > 0 && hashtags > l.Hashtags) ||
		(l.Mentions > 0 && mentions > l.Mentions)
}

// A hashtag or mention starts a caption or follows a character that cannot
// be part of a word, so "a@b.id" and "&#38;" count as neither.
var (
	hashtagRE = regexp.MustCompile(`(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+`)
	mentionRE = regexp.MustCompile(`(^|[^\p{L}\p{N}_.])@[\p{L}\p{N}_.]+`)
)

// CaptionStats counts a caption the way validation does: characters (code
// points), hashtags and mentions.
func CaptionStats(caption string) (chars, hashtags, mentions int) {
	return utf8.RuneCountInString(caption), len(hashtagRE.FindAllStringIndex(caption, -1)),
		len(mentionRE.FindAllStringIndex(caption, -1))
}
