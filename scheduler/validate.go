package scheduler

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// Carousel sizes checked before anything is sent (caption limits are in
// limits.go).
const (
	carouselMin = 2
	carouselMax = 10
)

// checkDraft validates a draft of a post of unit against its target
// channels' platforms, the field maxima and the unit's recurrence rule.
// With forSubmit, the post must also be publishable: public, in the future.
func checkDraft(d Draft, channels []org.Channel, unit org.Unit, now time.Time, forSubmit bool) ValidationError {
	var e valid.Errors
	if !slices.Contains(ContentTypes, d.ContentType) {
		e.Add("content_type", "%q is not one of photo, video, interactive, text, link", "%q bukan salah satu dari photo, video, interactive, text, link", d.ContentType)
	}
	checkClassification(&e, d.Classification, false)
	if d.Classification.Level == Exempt && forSubmit {
		e.Add("classification.level", "exempt content is never published; classify it public to submit it",
			"informasi yang dikecualikan tidak pernah dipublikasikan; klasifikasikan sebagai terbuka untuk mengajukannya")
	}
	if d.ScheduledAt.IsZero() {
		e.Add("scheduled_at", "give the publish time in RFC 3339, e.g. 2026-03-01T09:00:00+07:00",
			"isi waktu tayang dalam format RFC 3339, mis. 2026-03-01T09:00:00+07:00")
	} else if forSubmit && d.ScheduledAt.Before(now.Add(-time.Minute)) {
		e.Add("scheduled_at", "the publish time %s is in the past; choose a later time", "waktu tayang %s sudah lewat; pilih waktu yang akan datang",
			d.ScheduledAt.Format(time.RFC3339))
	}
	checkScheduleWindow(&e, d.ScheduledAt, now)
	checkRecurrence(&e, d, unit)
	checkFieldMaxima(&e, d)
	checkCaptions(&e, d)
	if d.Link != "" {
		if u, err := url.Parse(d.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			e.Add("link", "the link must be a full http(s) URL", "tautan harus berupa URL http(s) lengkap")
		}
	}
	if d.ContentType == "link" && d.Link == "" {
		e.Add("link", "a link post needs a link", "kiriman tautan wajib berisi tautan")
	}
	var images, videos int
	for i, m := range d.Media {
		f := fmt.Sprintf("media[%d]", i)
		switch m.Type {
		case "image":
			images++
		case "video":
			videos++
		default:
			e.Add(f+".type", "%q is not image or video", "%q bukan image atau video", m.Type)
		}
		if m.MediaID != 0 {
			continue // a library item (resolveMedia, checkLibraryMedia)
		}
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			e.Add(f+".url", "the media URL must be a full, public http(s) URL, or media_id an item of the media library",
				"URL media harus berupa URL http(s) publik yang lengkap, atau media_id sebuah media dari pustaka")
		}
	}
	if len(d.Channels) == 0 {
		e.Add("channels", "choose at least one channel", "pilih minimal satu kanal")
	}
	var hasFB, hasIG bool
	for _, c := range channels {
		switch c.Platform {
		case org.Facebook:
			hasFB = true
		case org.Instagram:
			hasIG = true
		}
	}
	if hasIG {
		runes, tags, mentions := CaptionStats(captionFor(d.Caption, d.Captions, org.Instagram))
		cf := captionField(d, org.Instagram)
		lim, _ := Limits(org.Instagram)
		if lim.Chars > 0 && runes > lim.Chars {
			e.Add(cf, "Instagram captions are at most %d characters; this one has %d", "keterangan Instagram maksimal %d karakter; ini %d karakter",
				lim.Chars, runes)
		}
		if lim.Hashtags > 0 && tags > lim.Hashtags {
			e.Add(cf, "Instagram allows at most %d hashtags; this caption has %d", "Instagram membolehkan maksimal %d tagar; keterangan ini berisi %d",
				lim.Hashtags, tags)
		}
		if lim.Mentions > 0 && mentions > lim.Mentions {
			e.Add(cf, "Instagram allows at most %d mentions; this caption has %d", "Instagram membolehkan maksimal %d sebutan (@); keterangan ini berisi %d",
				lim.Mentions, mentions)
		}
		if len(d.Media) == 0 {
			e.Add("media", "Instagram needs at least one image or video", "Instagram memerlukan minimal satu gambar atau video")
		}
		if len(d.Media) > carouselMax {
			e.Add("media", "an Instagram carousel has %d to %d items; this post has %d", "carousel Instagram berisi %d sampai %d item; kiriman ini berisi %d",
				carouselMin, carouselMax, len(d.Media))
		}
		for i, m := range d.Media {
			if m.Type == "image" && m.MediaID == 0 && !isJPEG(m.URL) {
				e.Add(fmt.Sprintf("media[%d].url", i), "Instagram accepts JPEG images only (.jpg or .jpeg)", "Instagram hanya menerima gambar JPEG (.jpg atau .jpeg)")
			}
		}
		if d.ContentType == "text" || d.ContentType == "link" {
			e.Add("content_type", "Instagram has no %s posts; use photo, video or interactive", "Instagram tidak mendukung kiriman %s; gunakan photo, video atau interactive", d.ContentType)
		}
	}
	if hasFB {
		fbCaption := captionFor(d.Caption, d.Captions, org.Facebook)
		runes, _, _ := CaptionStats(fbCaption)
		if lim, _ := Limits(org.Facebook); lim.Chars > 0 && runes > lim.Chars {
			e.Add(captionField(d, org.Facebook), "Facebook posts are at most %d characters; this one has %d", "kiriman Facebook maksimal %d karakter; ini %d karakter", lim.Chars, runes)
		}
		if videos > 0 && len(d.Media) > 1 {
			e.Add("media", "a Facebook post has one video, or photos only", "kiriman Facebook berisi satu video, atau foto saja")
		}
		if len(d.Media) > carouselMax {
			e.Add("media", "a Facebook multi-photo post has at most %d photos here; this one has %d", "kiriman multi-foto Facebook maksimal %d foto; ini %d foto",
				carouselMax, len(d.Media))
		}
		if len(d.Media) == 0 && strings.TrimSpace(fbCaption) == "" && d.Link == "" {
			e.Add("caption", "a Facebook post without media needs a caption or a link", "kiriman Facebook tanpa media wajib berisi keterangan atau tautan")
		}
		if len(d.Media) > 0 && d.Link != "" {
			e.Add("link", "Facebook shows either media or a link preview; put the link in the caption", "Facebook menampilkan media atau pratinjau tautan, bukan keduanya; tulis tautan di keterangan")
		}
	}
	for _, c := range channels {
		if c.Status == org.StatusDisabled {
			e.Add("channels", "channel %d (%s) is disabled", "kanal %d (%s) dinonaktifkan", c.ID, c.Name)
		}
	}
	if len(e) == 0 {
		return nil
	}
	return ValidationError(e)
}

func isJPEG(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	ext := strings.ToLower(path.Ext(u.Path))
	return ext == ".jpg" || ext == ".jpeg"
}

// checkClassification checks a classification: public or exempt; public
// information's category, when given (required with final: a PPID officer
// confirming), is one of the service standard's; exempt information
// needs its consequence-test reason and its legal basis.
func checkClassification(e *valid.Errors, c Classification, final bool) {
	switch c.Level {
	case Public:
		switch {
		case c.Category == "" && final:
			e.Add("classification.category", "say which public information this is: berkala, serta_merta or setiap_saat",
				"sebutkan jenis informasi publik: berkala, serta_merta atau setiap_saat")
		case c.Category != "" && !slices.Contains(Categories, c.Category):
			e.Add("classification.category", "%q is not berkala, serta_merta or setiap_saat",
				"%q bukan berkala, serta_merta atau setiap_saat", c.Category)
		}
	case Exempt:
		if strings.TrimSpace(c.Reason) == "" {
			e.Add("classification.reason", "exempt content needs the reason it is exempt (the consequence test: what harm disclosure would do)",
				"informasi yang dikecualikan wajib disertai alasan (uji konsekuensi: kerugian bila dibuka)")
		}
		if strings.TrimSpace(c.LegalBasis) == "" {
			e.Add("classification.legal_basis", "exempt content needs its legal basis, e.g. UU 14/2008 pasal 17 huruf a",
				"informasi yang dikecualikan wajib disertai dasar hukumnya, mis. UU 14/2008 pasal 17 huruf a")
		}
	default:
		e.Add("classification.level", "classify the content: public or exempt", "klasifikasikan konten: public (terbuka) atau exempt (dikecualikan)")
	}
}
