package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// Issue 14 item 18: Instagram announced a cap of 5 hashtags while the API
// reference says 30: by default more than 5 warns and more than 30 is
// refused; both are configurable, and the compose counter's limits
// (AllLimits) follow.
func TestInstagramHashtagCapConfigurable(t *testing.T) {
	t.Cleanup(func() { _ = scheduler.ConfigureInstagramHashtags(5, 30) })
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ig := e.instagram("200", "17841400000000200")
	tags := func(n int) string { return "Ayo memilih " + strings.Repeat("#pemilu ", n) }
	igLimits := func() scheduler.CaptionLimits {
		l, _ := scheduler.Limits(org.Instagram)
		return l
	}
	create := func(n int) error {
		_, err := e.svc.CreatePost(t.Context(), e.editor, photoDraft(tags(n), "https://cdn.example.org/t.jpg", time.Now().Add(time.Hour), ig.ID), true)
		return err
	}

	if l := igLimits(); l.Hashtags != 30 || l.HashtagsWarn != 5 {
		t.Errorf("default Instagram limits %+v: want refuse above 30, warn above 5", l)
	}
	if w := scheduler.CaptionWarnings(tags(6), org.Instagram); len(w) != 1 || w[0].Field != "caption" || !strings.Contains(w[0].Message, "5") {
		t.Errorf("6 hashtags: warnings %v, want one on caption naming 5", w)
	}
	if w := scheduler.CaptionWarnings(tags(5), org.Instagram); len(w) != 0 {
		t.Errorf("5 hashtags: warnings %v, want none", w)
	}
	if w := scheduler.CaptionWarnings(tags(9), org.Facebook); len(w) != 0 {
		t.Errorf("hashtags on Facebook: warnings %v, want none", w)
	}
	if err := create(6); err != nil {
		t.Errorf("6 hashtags refused by default: %v (want a warning only)", err)
	}
	if _, ok := valid.Fields(create(31)); !ok {
		t.Error("31 hashtags accepted")
	}

	if err := scheduler.ConfigureInstagramHashtags(3, 10); err != nil {
		t.Fatal(err)
	}
	if l := igLimits(); l.Hashtags != 10 || l.HashtagsWarn != 3 {
		t.Errorf("configured limits %+v, want 10 and 3", l)
	}
	if _, ok := valid.Fields(create(11)); !ok {
		t.Error("11 hashtags accepted with a maximum of 10")
	}
	if w := scheduler.CaptionWarnings(tags(4), org.Instagram); len(w) != 1 {
		t.Errorf("4 hashtags with a warning above 3: %v", w)
	}
	if err := scheduler.ConfigureInstagramHashtags(40, 31); err == nil {
		t.Error("a maximum above Instagram's 30 accepted")
	}
}
