package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/org"
)

func TestCheckDraft(t *testing.T) {
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	fb := org.Channel{ID: 1, Platform: org.Facebook, Status: org.StatusActive}
	ig := org.Channel{ID: 2, Platform: org.Instagram, Status: org.StatusActive}
	base := func() Draft {
		return Draft{Caption: "Halo", ContentType: "photo", Classification: Classification{Level: Public}, Channels: []int64{2},
			ScheduledAt: now.Add(time.Hour), Media: []Media{{Type: "image", URL: "https://x.id/a.jpg"}}}
	}
	img := func(n int) []Media {
		m := make([]Media, n)
		for i := range m {
			m[i] = Media{Type: "image", URL: "https://x.id/a.jpeg"}
		}
		return m
	}
	tests := []struct {
		name     string
		edit     func(*Draft)
		channels []org.Channel
		submit   bool
		fields   []string
	}{
		{"valid instagram", func(*Draft) {}, []org.Channel{ig}, true, nil},
		{"caption too long", func(d *Draft) { d.Caption = strings.Repeat("a", 2201) }, []org.Channel{ig}, true, []string{"caption"}},
		{"31 hashtags", func(d *Draft) { d.Caption = strings.Repeat("#pemilu ", 31) }, []org.Channel{ig}, true, []string{"caption"}},
		{"30 hashtags ok", func(d *Draft) { d.Caption = strings.Repeat("#pemilu ", 30) }, []org.Channel{ig}, true, nil},
		{"21 mentions", func(d *Draft) { d.Caption = strings.Repeat("@kpu_ri ", 21) }, []org.Channel{ig}, true, []string{"caption"}},
		{"email is not a mention", func(d *Draft) { d.Caption = strings.Repeat("a@b.id ", 25) }, []org.Channel{ig}, true, nil},
		{"carousel of 11", func(d *Draft) { d.Media = img(11) }, []org.Channel{ig}, true, []string{"media"}},
		{"carousel of 10", func(d *Draft) { d.Media = img(10) }, []org.Channel{ig}, true, nil},
		{"instagram needs media", func(d *Draft) { d.Media = nil }, []org.Channel{ig}, true, []string{"media"}},
		{"instagram png", func(d *Draft) { d.Media[0].URL = "https://x.id/a.png" }, []org.Channel{ig}, true, []string{"media[0].url"}},
		{"facebook png ok", func(d *Draft) { d.Media[0].URL = "https://x.id/a.png" }, []org.Channel{fb}, true, nil},
		{"facebook text", func(d *Draft) { d.Media = nil; d.ContentType = "text" }, []org.Channel{fb}, true, nil},
		{"text on instagram", func(d *Draft) { d.ContentType = "text" }, []org.Channel{ig}, true, []string{"content_type"}},
		{"past schedule", func(d *Draft) { d.ScheduledAt = now.Add(-time.Hour) }, []org.Channel{ig}, true, []string{"scheduled_at"}},
		{"past schedule in a draft", func(d *Draft) { d.ScheduledAt = now.Add(-time.Hour) }, []org.Channel{ig}, false, nil},
		{"exempt without reason or basis", func(d *Draft) { d.Classification = Classification{Level: Exempt} }, []org.Channel{ig}, false, []string{"classification.reason", "classification.legal_basis"}},
		{"exempt submitted", func(d *Draft) {
			d.Classification = Classification{Level: Exempt, LegalBasis: "UU 14/2008 pasal 17", Reason: "membahayakan pertahanan"}
		}, []org.Channel{ig}, true, []string{"classification.level"}},
		{"unknown category", func(d *Draft) { d.Classification.Category = "rahasia" }, []org.Channel{ig}, false, []string{"classification.category"}},
		{"unclassified", func(d *Draft) { d.Classification = Classification{} }, []org.Channel{ig}, false, []string{"classification.level"}},
		{"bad recurrence", func(d *Draft) { d.Recurrence = "every monday" }, []org.Channel{ig}, false, []string{"recurrence"}},
		{"video plus photo on facebook", func(d *Draft) { d.Media = append(d.Media, Media{Type: "video", URL: "https://x.id/v.mp4"}) }, []org.Channel{fb}, true, []string{"media"}},
		{"bad media url", func(d *Draft) { d.Media[0].URL = "file:///etc/passwd" }, []org.Channel{fb}, true, []string{"media[0].url"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := base()
			tc.edit(&d)
			errs := checkDraft(d, tc.channels, org.Unit{Timezone: "Asia/Jakarta"}, now, tc.submit)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
				if e.Message == "" || e.MessageID == "" || e.Message == e.MessageID {
					t.Errorf("field %s: want English and Bahasa Indonesia messages, got %q / %q", e.Field, e.Message, e.MessageID)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields = %v, want %v (%v)", got, tc.fields, errs)
			}
		})
	}
}

func TestCaptionStats(t *testing.T) {
	tests := []struct {
		caption                   string
		chars, hashtags, mentions int
	}{
		{"", 0, 0, 0},
		{"Ayo memilih! #Pemilu2029 #KPU @kpu_ri dan @bawaslu.ri — ✓", 57, 2, 2},
		{"surel a@b.id bukan sebutan; &#38; bukan tagar", 45, 0, 0},
		{"#awal dan @awal", 15, 1, 1},
	}
	for _, tt := range tests {
		c, h, m := CaptionStats(tt.caption)
		if c != tt.chars || h != tt.hashtags || m != tt.mentions {
			t.Errorf("CaptionStats(%q) = %d, %d, %d; want %d, %d, %d", tt.caption, c, h, m, tt.chars, tt.hashtags, tt.mentions)
		}
	}
}

func TestLimitsAgreeWithValidation(t *testing.T) {
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for _, lim := range AllLimits() {
		got, ok := Limits(lim.Platform)
		if !ok || got != lim || lim.Chars == 0 {
			t.Fatalf("Limits(%q) = %+v, %v", lim.Platform, got, ok)
		}
		ch := org.Channel{ID: 1, Platform: lim.Platform, Status: org.StatusActive}
		d := Draft{ContentType: "photo", Classification: Classification{Level: Public}, Channels: []int64{1},
			ScheduledAt: now.Add(time.Hour), Media: []Media{{Type: "image", URL: "https://x.id/a.jpg"}}}
		for _, n := range []int{lim.Chars, lim.Chars + 1} {
			d.Caption = strings.Repeat("a", n)
			errs := checkDraft(d, []org.Channel{ch}, org.Unit{}, now, true)
			if over := lim.Exceeded(n, 0, 0); over != (len(errs) > 0) {
				t.Errorf("%s caption of %d: Exceeded = %v but validation says %v", lim.Platform, n, over, errs)
			}
		}
	}
	if _, ok := Limits("tiktok"); ok {
		t.Error("an unknown platform has limits")
	}
	if fb, _ := Limits(org.Facebook); fb.Chars != 63206 {
		t.Errorf("Facebook limit %d, want 63206", fb.Chars)
	}
}
