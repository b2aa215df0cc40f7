package meta_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// A write guard is asked before each write: a refusal keeps the write
// from being sent (nothing on the Page, ErrWriteRefused and the guard's
// error returned); reads never ask it; an accepting guard lets the write go.
func TestWriteGuard(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, meta.Options{})
	errGone := errors.New("claim gone")
	var asked int
	refuse := meta.WithWriteGuard(context.Background(), func(context.Context) error { asked++; return errGone })
	_, err := e.client.PublishPageFeed(refuse, pageToken, pageID, meta.FeedPost{Message: "Tidak boleh terkirim"})
	if !errors.Is(err, meta.ErrWriteRefused) || !errors.Is(err, errGone) {
		t.Fatalf("refused write: err %v, want ErrWriteRefused wrapping the guard's error", err)
	}
	if n := e.sim.CountText(pageID, "Tidak boleh terkirim"); n != 0 || asked != 1 {
		t.Errorf("refused write: on the Page %d times, guard asked %d times; want 0 and 1", n, asked)
	}
	if _, err := e.client.ListPagePosts(refuse, pageToken, pageID, meta.ListOptions{Since: t0.Add(-time.Hour)}); err != nil {
		t.Errorf("a read under a refusing guard: %v", err)
	}
	if asked != 1 {
		t.Errorf("guard asked %d times after a read, want still 1", asked)
	}
	accept := meta.WithWriteGuard(context.Background(), func(context.Context) error { asked++; return nil })
	if _, err := e.client.PublishPageFeed(accept, pageToken, pageID, meta.FeedPost{Message: "Boleh terkirim"}); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.CountText(pageID, "Boleh terkirim"); n != 1 || asked != 2 {
		t.Errorf("accepted write: on the Page %d times, guard asked %d times; want 1 and 2", n, asked)
	}
}
