package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

const (
	qDeliveryPublished = `UPDATE deliveries SET status = 'published', platform_id = ?, permalink = ?, published_at = ?, reconcile = 0,
    next_attempt_at = NULL, error_class = '', error_code = 0, error_subcode = 0, error_message = '', error_action = '', updated_at = ?,
    publish_path = CASE WHEN ? = '' THEN publish_path ELSE ? END
WHERE id = ? AND status = ? AND (status = 'scheduled' OR (claimed_by = ? AND attempts = ?))`
	qDeliveryFailed = `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, error_class = ?, error_code = ?,
    error_subcode = ?, error_message = ?, error_action = ?, updated_at = ?,
    publish_path = CASE WHEN ? = '' THEN publish_path ELSE ? END
WHERE id = ? AND status = ? AND (status = 'scheduled' OR (claimed_by = ? AND attempts = ?))`
	qDeliveryRetry = `UPDATE deliveries SET status = 'scheduled', next_attempt_at = ?, reconcile = ?,
    container_id = CASE WHEN ? THEN ? ELSE container_id END,
    container_created_at = CASE WHEN ? THEN ? ELSE container_created_at END,
    error_class = ?, error_code = ?, error_subcode = ?, error_message = ?, error_action = ?, updated_at = ?,
    publish_path = CASE WHEN ? = '' THEN publish_path ELSE ? END, containers_created = containers_created + ?
WHERE id = ? AND status = ? AND (status = 'scheduled' OR (claimed_by = ? AND attempts = ?))`
	qDeliveryPost     = `SELECT post_id, channel_id, scheduled_at FROM deliveries WHERE id = ?`
	qDeliveryClaimer  = `SELECT status, claimed_by FROM deliveries WHERE id = ?`
	qPostCounts       = `SELECT status, count(*) FROM deliveries WHERE post_id = ? GROUP BY status`
	qPostStateOnly    = `SELECT state FROM posts WHERE id = ?`
	qPostSettle       = `SELECT state, recurrence FROM posts WHERE id = ?`
	qPostToPublishing = `UPDATE posts SET state = 'publishing', updated_at = ? WHERE id = ? AND state = 'scheduled'`
)

// errClaimLost: the delivery's claim expired and another replica holds it.
var errClaimLost = errors.New("this replica's claim on the delivery expired")

// saved is what a written outcome leaves to do after its commit.
type saved struct {
	platform          string
	published, failed bool
	at                time.Time
}

// save writes an attempt's outcome, the audit line, and the post's state
// when its last delivery is done, in one transaction of its own.
func (p *Publisher) save(ctx context.Context, j job, o outcome) error {
	var r saved
	err := p.svc.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = p.saveTx(ctx, tx, j, o)
		return err
	})
	if err != nil {
		return err
	}
	p.afterSave(ctx, j, o, r)
	return nil
}

// afterSave counts a committed outcome and notifies a failure.
func (p *Publisher) afterSave(ctx context.Context, j job, o outcome, r saved) {
	p.count(j, r.platform, o, r.at, r.published)
	if r.failed {
		p.svc.noticeFailed(ctx, j.ID, o.fail)
	}
}

// saveTx writes an attempt's outcome in tx (see save).
func (p *Publisher) saveTx(ctx context.Context, sqlTx *sql.Tx, j job, o outcome) (saved, error) {
	tx := cachedTx{p.stmts, sqlTx}
	now := p.opt.Now()
	from := DeliveryPublishing
	if o.onlyIfScheduled {
		from = DeliveryScheduled
	}
	r := saved{at: now}
	err := func() error {
		// A loaded job knows its post, channel and time (they do not change
		// while it is claimed); failBlocked knows only the id.
		postID, channelID, scheduledAt := j.PostID, j.ChannelID, j.ScheduledAt
		if postID == 0 {
			var sched string
			if err := tx.QueryRowContext(ctx, qDeliveryPost, j.ID).Scan(&postID, &channelID, &sched); err != nil {
				return fmt.Errorf("delivery %d: %w", j.ID, err)
			}
			scheduledAt, _ = store.ParseTime(sched)
		}
		platform := j.Platform
		if platform == "" {
			platforms, err := p.svc.platformsOf(ctx, sqlTx, []int64{channelID})
			if err != nil {
				return fmt.Errorf("delivery %d: %w", j.ID, err)
			}
			platform = platforms[channelID]
		}
		r.platform = platform
		rec := auditRec{actor: systemActor, entity: "delivery", id: j.ID, from: from}
		var res sql.Result
		var err error
		switch {
		case o.published:
			res, err = tx.ExecContext(ctx, qDeliveryPublished, o.platformID, o.permalink, store.FormatTime(now), store.FormatTime(now),
				o.path, o.path, j.ID, from, p.opt.Replica, j.Attempts)
			rec.action, rec.to = "published", DeliveryPublished
			rec.detail = map[string]any{"platform_id": o.platformID, "lag_seconds": now.Sub(scheduledAt).Seconds()}
			if o.reconciled {
				rec.action, rec.reason = "reconciled", "found on the channel after an uncertain attempt; not sent again"
			}
			r.published = true
		case o.fail != nil:
			f := o.fail
			res, err = tx.ExecContext(ctx, qDeliveryFailed, f.Class, f.Code, f.Subcode, f.Message, f.Action, store.FormatTime(now),
				o.path, o.path, j.ID, from, p.opt.Replica, j.Attempts)
			rec.action, rec.to, rec.reason = "failed", DeliveryFailed, f.Message
			rec.detail = map[string]any{"class": f.Class, "code": f.Code, "subcode": f.Subcode, "action": f.Action}
		default:
			setC, container := o.setContainer != nil, ""
			if setC {
				container = *o.setContainer
			}
			var ec, em, ea string
			var code, sub int
			if o.class != 0 {
				ec, em = o.class.String(), "retrying"
			}
			if h := o.hold; h != nil {
				// Held (not failed): staff see why it waits.
				ec, code, sub, em, ea = h.Class, h.Code, h.Subcode, h.Message, h.Action
			}
			bump := 0
			if o.newContainer {
				bump = 1
			}
			res, err = tx.ExecContext(ctx, qDeliveryRetry, store.FormatTime(o.retryAt), o.reconcile, setC, container, setC,
				store.FormatTime(now), ec, code, sub, em, ea, store.FormatTime(now), o.path, o.path, bump, j.ID, from, p.opt.Replica, j.Attempts)
			rec.to = DeliveryScheduled
			switch {
			case o.hold != nil:
				rec.action, rec.reason = "held", o.hold.Message
				rec.detail = map[string]any{"next_attempt_at": o.retryAt, "class": o.hold.Class}
			case o.class != 0:
				rec.action, rec.reason = "retry", o.class.String()
				rec.detail = map[string]any{"next_attempt_at": o.retryAt, "check_platform_first": o.reconcile}
			case setC && container != "" && o.reconciled:
				rec.action, rec.reason = "reconciled", o.note
				rec.detail = map[string]any{"container_id": container}
			case setC && container != "":
				rec.action, rec.reason = "prepared", o.note
				rec.detail = map[string]any{"container_id": container}
			default:
				rec.action = "" // a readiness check: nothing to audit
			}
		}
		if err != nil {
			return fmt.Errorf("save delivery %d: %w", j.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			// A claim this replica let expire (it could not renew it for
			// the claim lease) may be another replica's now: its outcome
			// is not this one's to write (the update required this
			// replica's claim). Or this replica claimed it again since
			// (attempts counts the claims): the newer attempt owns it.
			// Else someone settled it (failBlocked lost to a claim).
			var status, by string
			err := tx.QueryRowContext(ctx, qDeliveryClaimer, j.ID).Scan(&status, &by)
			if err == nil && !o.onlyIfScheduled && status == DeliveryPublishing && by != "" && by != p.opt.Replica {
				return fmt.Errorf("delivery %d: %w (now claimed by %s)", j.ID, errClaimLost, by)
			}
			return nil
		}
		r.failed = o.fail != nil
		if rec.action != "" {
			if err := writeAudit(ctx, tx, now, rec); err != nil {
				return err
			}
		}
		if o.published || o.fail != nil {
			// The post is publishing from its first sent delivery on.
			res, err := tx.ExecContext(ctx, qPostToPublishing, store.FormatTime(now), postID)
			if err != nil {
				return fmt.Errorf("post %d publishing: %w", postID, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := writeAudit(ctx, tx, now, auditRec{actor: systemActor, entity: "post", id: postID, action: "publish",
					from: StateScheduled, to: StatePublishing}); err != nil {
					return err
				}
			}
			return p.settlePost(ctx, tx, postID, now)
		}
		return nil
	}()
	if err != nil {
		return saved{}, err
	}
	return r, nil
}

func (p *Publisher) count(j job, platform string, o outcome, now time.Time, published bool) {
	switch {
	case published:
		outcome := "published"
		if o.reconciled {
			outcome = "reconciled"
		}
		p.m.outcomes.WithLabelValues(platform, outcome, "none").Inc()
		if !j.ScheduledAt.IsZero() {
			p.m.lag.WithLabelValues(platform).Observe(max(0, now.Sub(j.ScheduledAt).Seconds()))
		}
	case o.fail != nil:
		p.m.outcomes.WithLabelValues(platform, "failed", o.fail.Class).Inc()
	case o.class != 0:
		p.m.outcomes.WithLabelValues(platform, "retry", o.class.String()).Inc()
	}
}

// settlePost gives the post its final state once no delivery is left to
// send, and plans the next occurrence of a recurring post.
func (p *Publisher) settlePost(ctx context.Context, tx cachedTx, postID int64, now time.Time) error {
	rows, err := tx.QueryContext(ctx, qPostCounts, postID)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return err
		}
		counts[st] = n
	}
	rows.Close()
	if counts[DeliveryPending]+counts[DeliveryScheduled]+counts[DeliveryPublishing] > 0 {
		return nil
	}
	// The whole post is read only for a recurring one (its next
	// occurrence copies it): settling needs its state alone.
	post := Post{ID: postID}
	if err := tx.QueryRowContext(ctx, qPostSettle, postID).Scan(&post.State, &post.Recurrence); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return postNotFound(postID)
		}
		return fmt.Errorf("post %d: %w", postID, err)
	}
	if post.State != StateScheduled && post.State != StatePublishing {
		return nil
	}
	if post.Recurrence != "" {
		var err error
		if post, err = p.svc.loadPost(ctx, tx, postID); err != nil {
			return err
		}
	}
	to := StatePublished
	reason := ""
	if counts[DeliveryFailed] > 0 {
		to = StateFailed
		reason = fmt.Sprintf("%d of %d deliveries failed", counts[DeliveryFailed], counts[DeliveryFailed]+counts[DeliveryPublished])
	}
	if err := p.svc.setState(ctx, tx, systemActor, &post, to, "settle", reason, counts); err != nil {
		return err
	}
	if post.Recurrence == "" {
		return nil
	}
	if ended, err := p.svc.seriesEnded(ctx, tx.tx, post, now); err != nil || ended {
		return err
	}
	if err := p.planNext(ctx, tx.tx, post, now); err != nil {
		return err
	}
	return p.svc.copySeriesExtras(ctx, tx.tx, post)
}

// planNext creates the next occurrence of a recurring post, approved as
// the series was, scheduled at the cron spec's next time after this one
// (in the unit's time zone) that is not in the past.
func (p *Publisher) planNext(ctx context.Context, tx *sql.Tx, post Post, now time.Time) error {
	sched, err := config.CronParser.Parse(post.Recurrence)
	if err != nil {
		return nil // validated on write; an old bad spec just ends the series
	}
	unit, err := p.org.Unit(ctx, post.UnitID)
	if err != nil {
		return err
	}
	next := sched.Next(post.ScheduledAt.In(unit.Location()))
	for i := 0; next.Before(now) && i < 100000 && !next.IsZero(); i++ {
		next = sched.Next(next)
	}
	if next.IsZero() {
		return nil
	}
	next = next.UTC().Truncate(time.Millisecond)
	root := post.RecurrenceOf
	if root == 0 {
		root = post.ID
	}
	var approvedBy, approvedAt any
	if post.ApprovedBy != 0 {
		approvedBy = post.ApprovedBy
	}
	if post.ApprovedAt != nil {
		approvedAt = store.FormatTime(*post.ApprovedAt)
	}
	id, err := store.InsertID(ctx, tx, qPostInsert, post.UnitID, post.AuthorID, post.Caption, post.Link, jsonText(post.Media),
		post.ContentType, post.Classification.Level, post.Classification.Reason, post.Campaign, jsonText(post.Tags),
		store.FormatTime(next), post.Recurrence, root, StateScheduled, approvedBy, approvedAt, store.FormatTime(now), store.FormatTime(now))
	if err != nil {
		return fmt.Errorf("plan next occurrence of post %d: %w", post.ID, err)
	}
	for _, d := range post.Deliveries {
		if _, err := p.org.Channel(ctx, d.ChannelID); err != nil {
			continue // the channel was deleted
		}
		at := next
		if d.Platform == org.Instagram {
			at = next.Add(-p.svc.igLead)
		}
		if _, err := tx.ExecContext(ctx, qDeliveryInsert, id, d.ChannelID, DeliveryScheduled, store.FormatTime(next), store.FormatTime(at),
			store.FormatTime(now), store.FormatTime(now)); err != nil {
			return fmt.Errorf("plan next occurrence of post %d: %w", post.ID, err)
		}
	}
	return writeAudit(ctx, tx, now, auditRec{actor: systemActor, entity: "post", id: id, action: "recur", to: StateScheduled,
		reason: fmt.Sprintf("next occurrence of post %d (%s)", root, post.Recurrence), detail: map[string]any{"previous": post.ID}})
}
