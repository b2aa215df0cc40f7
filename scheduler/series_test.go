package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
)

// TestSeriesEndsAfterItsOccurrences: a recurring post with two
// occurrences publishes twice and plans no third; the last one says so in
// the audit log. Each occurrence keeps the classification's category and
// who confirmed it.
func TestSeriesEndsAfterItsOccurrences(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	c := e.page("100")
	d := textDraft("Salam pagi dari KPU", time.Now().Add(-time.Second), c.ID)
	d.Recurrence, d.RecurrenceCount = "0 0 9 * * *", 2
	d.Classification.Category = scheduler.CategoryPeriodic
	root := e.scheduled(d)
	e.drain(5)
	next, err := e.svc.Posts(ctx, e.viewer, scheduler.Filter{State: scheduler.StateScheduled})
	if err != nil || len(next) != 1 || next[0].RecurrenceOf != root.ID {
		t.Fatalf("second occurrence: %+v, %v", next, err)
	}
	if n := next[0]; n.RecurrenceCount != 2 || n.Classification.Category != scheduler.CategoryPeriodic || n.ClassifiedBy != e.editor.UserID {
		t.Errorf("second occurrence lost its series or classification: count %d, category %q, classified by %d",
			n.RecurrenceCount, n.Classification.Category, n.ClassifiedBy)
	}
	// Make the second occurrence due now.
	if _, err := e.db.DB.Exec(`UPDATE deliveries SET next_attempt_at = ? WHERE post_id = ?`,
		time.Now().Add(-time.Second).UTC().Format("2006-01-02T15:04:05.000Z"), next[0].ID); err != nil {
		t.Fatal(err)
	}
	e.drain(5)
	if got := e.post(next[0].ID); got.State != scheduler.StatePublished {
		t.Fatalf("second occurrence is %s", got.State)
	}
	left, err := e.svc.Posts(ctx, e.viewer, scheduler.Filter{State: scheduler.StateScheduled})
	if err != nil || len(left) != 0 {
		t.Fatalf("a third occurrence was planned: %+v, %v", left, err)
	}
	audit, err := e.svc.Audit(ctx, e.viewer, next[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; last.Action != "series_end" {
		t.Errorf("last audit line %+v, want series_end", last)
	}
}
