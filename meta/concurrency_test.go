package meta_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

// TestConcurrentFaultyPublishing publishes from several goroutines through
// random transient, lost-answer and timeout faults; every post is either
// created once or reported as failed (uncertain ones are reconciled).
func TestConcurrentFaultyPublishing(t *testing.T) {
	e := newEnv(t, graphsim.Options{Seed: 11, Faults: graphsim.FaultOptions{
		TransientRate: 0.15, LostAnswerRate: 0.1, TimeoutRate: 0.05, TimeoutDelay: 2 * time.Second,
	}}, meta.Options{})
	c, err := meta.New(meta.Options{BaseURL: e.srv.URL, AppID: testAppID, AppSecret: testSecret, Now: e.clock.Now,
		Timeout: 200 * time.Millisecond, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]error, 40)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post := meta.FeedPost{Message: fmt.Sprintf("pesan %d", i)}
			if i%8 == 0 {
				post.Link = "bukan-url" // refused for certain: nothing is created
			}
			_, results[i] = c.PublishPageFeed(ctx, pageToken, pageID, post)
		}()
	}
	wg.Wait()
	var ok, uncertain, failed int
	for i, err := range results {
		n := e.sim.CountText(pageID, fmt.Sprintf("pesan %d", i))
		switch {
		case err == nil:
			ok++
			if n != 1 {
				t.Errorf("post %d succeeded but exists %d times", i, n)
			}
		case meta.IsUncertain(err):
			// A lost answer, a timeout, or a 5xx/transient answer to the
			// write (Meta may have performed it).
			uncertain++
			if n > 1 {
				t.Errorf("post %d exists %d times", i, n)
			}
		default:
			failed++
			if n != 0 {
				t.Errorf("post %d failed certainly (%v) but exists", i, err)
			}
		}
	}
	if ok == 0 || uncertain == 0 || failed == 0 {
		t.Errorf("ok=%d uncertain=%d failed=%d: want each outcome", ok, uncertain, failed)
	}
}
