package collector

import (
	"regexp"
	"strings"
)

// Content types, as the calendar and reports name them.
const (
	TypePhoto       = "photo"
	TypeVideo       = "video"
	TypeInteractive = "interactive"
	TypeText        = "text"
	TypeLink        = "link"
)

// ContentTypes lists the content types an editor may choose.
var ContentTypes = []string{TypePhoto, TypeVideo, TypeInteractive, TypeText, TypeLink}

// Where a post's content type came from (posts.content_type_source).
const (
	SourceHumas    = "humas"    // the humas post that published it
	SourceOverride = "override" // an editor's correction
	SourceInferred = "inferred" // the platform's media type
)

// inferFacebook infers a Facebook post's content type from its first
// attachment's media type and its status type.
func inferFacebook(mediaType, statusType, carouselAs string) string {
	switch strings.ToLower(mediaType) {
	case "photo":
		return TypePhoto
	case "album":
		return carouselAs
	case "video", "reel", "video_inline", "video_autoplay":
		return TypeVideo
	case "link", "share":
		return TypeLink
	case "":
	default:
		return TypePhoto
	}
	switch statusType {
	case "added_video":
		return TypeVideo
	case "added_photos":
		return TypePhoto
	case "shared_story":
		return TypeLink
	}
	return TypeText
}

// inferInstagram infers an Instagram media's content type from its media
// type: image → photo, video and reels → video, carousel → carouselAs.
func inferInstagram(mediaType, productType, carouselAs string) string {
	switch {
	case mediaType == "CAROUSEL_ALBUM":
		return carouselAs
	case mediaType == "VIDEO" || productType == "REELS":
		return TypeVideo
	}
	return TypePhoto
}

var hashtagRE = regexp.MustCompile(`#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)

// hashtags extracts the caption's hashtags, lower-cased, each once.
func hashtags(caption string) []string {
	ms := hashtagRE.FindAllStringSubmatch(caption, -1)
	out := make([]string, 0, len(ms))
	seen := map[string]bool{}
	for _, m := range ms {
		h := strings.ToLower(m[1])
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
