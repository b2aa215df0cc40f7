package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Reply states.
const (
	ReplyAwaitingApproval = "awaiting_approval"
	ReplyApproved         = "approved"
	ReplySending          = "sending"
	ReplyPublished        = "published"
	ReplyRejected         = "rejected"
	ReplyFailed           = "failed"
)

// Reply is an answer written in humas to a comment.
type Reply struct {
	ID          int64      `json:"id"`
	CommentID   int64      `json:"comment_id"`
	Message     string     `json:"message"`
	AuthorID    int64      `json:"author_id"`
	AuthorName  string     `json:"author_name"`
	State       string     `json:"state"`
	ApprovedBy  int64      `json:"approved_by,omitempty"`
	Attempts    int        `json:"attempts"`
	ExternalID  string     `json:"external_id,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Longest replies: Facebook comments take 8,000 characters, Instagram 2,200.
const (
	MaxReplyFB = 8000
	MaxReplyIG = 2200
)

// maxSendAttempts bounds the sends of one reply whose earlier attempts
// were found (by reconciling) not to have been published.
const maxSendAttempts = 3

const qReplyCols = `r.id, r.comment_id, r.message, r.author_id, '', r.state, coalesce(r.approved_by, 0), r.attempts,
  r.external_id, r.published_at, r.error, r.created_at`

func scanReply(r interface{ Scan(...any) error }) (Reply, error) {
	var x Reply
	var pub sql.NullString
	var created string
	if err := r.Scan(&x.ID, &x.CommentID, &x.Message, &x.AuthorID, &x.AuthorName, &x.State, &x.ApprovedBy, &x.Attempts,
		&x.ExternalID, &pub, &x.Error, &created); err != nil {
		return x, err
	}
	x.PublishedAt = store.ParseNullTime(pub)
	t, err := store.ParseTime(created)
	x.CreatedAt = t
	return x, err
}

func (s *Service) attachReplies(ctx context.Context, list []Comment) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i, c := range list {
		ids[i], at[c.ID] = c.ID, i
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT `+qReplyCols+` FROM comment_replies r
WHERE r.comment_id IN (SELECT value FROM json_each(?)) ORDER BY r.id`, jsonInts(ids))
	if err != nil {
		return fmt.Errorf("comment replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReply(rows)
		if err != nil {
			return fmt.Errorf("comment replies: %w", err)
		}
		r.AuthorName = s.userName(ctx, r.AuthorID)
		i := at[r.CommentID]
		list[i].Replies = append(list[i].Replies, r)
	}
	return rows.Err()
}

// ReplyByID reads one reply (no scope check: for the PPID requests that
// a reply answers).
func (s *Service) ReplyByID(ctx context.Context, id int64) (Reply, error) { return s.replyRow(ctx, id) }

// replyRow reads one reply.
func (s *Service) replyRow(ctx context.Context, id int64) (Reply, error) {
	r, err := scanReply(s.db.DB.QueryRowContext(ctx, `SELECT `+qReplyCols+` FROM comment_replies r WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Reply{}, valid.NotFound("reply %d does not exist", "balasan %d tidak ada", id)
	}
	r.AuthorName = s.userName(ctx, r.AuthorID)
	return r, err
}

// Reply writes the unit's answer to a comment. When the comment's unit
// requires approval, the reply waits for an approver who did not write it
// (a reply is published information); otherwise it is published now. A
// comment has at most one reply in progress.
func (s *Service) Reply(ctx context.Context, p auth.Principal, commentID int64, message string) (Reply, error) {
	c, err := s.Get(ctx, p, commentID)
	if err != nil {
		return Reply{}, err
	}
	if err := checkAct(p); err != nil {
		return Reply{}, err
	}
	message = strings.TrimSpace(message)
	limit := MaxReplyFB
	if c.Platform == "instagram" {
		limit = MaxReplyIG
	}
	switch n := utf8.RuneCountInString(message); {
	case n == 0:
		return Reply{}, valid.Invalid("message", "write the reply", "tulis balasannya")
	case n > limit:
		return Reply{}, valid.Invalid("message", fmt.Sprintf("the reply has %d characters; %s takes at most %d", n, c.Platform, limit),
			fmt.Sprintf("balasan %d karakter; %s menerima paling banyak %d", n, c.Platform, limit))
	}
	unit, err := s.org.Unit(ctx, c.UnitID)
	if err != nil {
		return Reply{}, err
	}
	state := ReplyApproved
	if unit.RequiresApproval {
		state = ReplyAwaitingApproval
	}
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = store.InsertID(ctx, tx, `INSERT INTO comment_replies (comment_id, message, author_id, state, created_at) VALUES (?, ?, ?, ?, ?)`,
			commentID, message, p.UserID, state, store.FormatTime(s.now()))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return valid.Conflict("reply_in_progress", "comment %d already has a reply waiting or being sent",
					"komentar %d sudah memiliki balasan yang menunggu atau sedang dikirim", commentID)
			}
			return err
		}
		return s.audit(ctx, tx, p, commentID, "reply_written", "", state, map[string]any{"reply_id": id, "message": message})
	})
	if err != nil {
		return Reply{}, err
	}
	if state == ReplyApproved {
		return s.send(ctx, p, id)
	}
	return s.replyRow(ctx, id)
}

// ApproveReply approves a reply waiting for approval and publishes it.
// The approver has the approver role in the comment's unit or above and
// did not write the reply.
func (s *Service) ApproveReply(ctx context.Context, p auth.Principal, replyID int64) (Reply, error) {
	r, c, err := s.reviewable(ctx, p, replyID)
	if err != nil {
		return Reply{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE comment_replies SET state = 'approved', approved_by = ?, approved_at = ? WHERE id = ? AND state = 'awaiting_approval'`,
			p.UserID, store.FormatTime(s.now()), replyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return replyState("approve", r.State)
		}
		return s.audit(ctx, tx, p, c.ID, "reply_approved", ReplyAwaitingApproval, ReplyApproved, map[string]int64{"reply_id": replyID})
	})
	if err != nil {
		return Reply{}, err
	}
	return s.send(ctx, p, replyID)
}

// RejectReply turns a waiting reply down, with a reason.
func (s *Service) RejectReply(ctx context.Context, p auth.Principal, replyID int64, reason string) (Reply, error) {
	r, c, err := s.reviewable(ctx, p, replyID)
	if err != nil {
		return Reply{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE comment_replies SET state = 'rejected', error = ? WHERE id = ? AND state = 'awaiting_approval'`, reason, replyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return replyState("reject", r.State)
		}
		return auth.AppendAudit(ctx, tx, s.now(), auth.AuditRecord{Actor: p, Entity: "comment", EntityID: c.ID, Action: "reply_rejected",
			From: ReplyAwaitingApproval, To: ReplyRejected, Reason: reason, Detail: map[string]int64{"reply_id": replyID}})
	})
	if err != nil {
		return Reply{}, err
	}
	return s.replyRow(ctx, replyID)
}

func (s *Service) reviewable(ctx context.Context, p auth.Principal, replyID int64) (Reply, Comment, error) {
	r, err := s.replyRow(ctx, replyID)
	if err != nil {
		return Reply{}, Comment{}, err
	}
	c, err := s.Get(ctx, p, r.CommentID)
	if err != nil {
		return Reply{}, Comment{}, err
	}
	if p.Role != auth.RoleApprover {
		return Reply{}, Comment{}, valid.Forbidden("approving a reply needs the approver role; you are %s",
			"persetujuan balasan memerlukan peran approver; peran Anda %s", string(p.Role))
	}
	if r.AuthorID == p.UserID {
		return Reply{}, Comment{}, valid.Forbidden("you wrote reply %d: another approver must approve it",
			"Anda menulis balasan %d: balasan harus disetujui approver lain", replyID)
	}
	if r.State != ReplyAwaitingApproval {
		return Reply{}, Comment{}, replyState("review", r.State)
	}
	return r, c, nil
}

func replyState(action, state string) error {
	return valid.Conflict("reply_state", "cannot %s a reply that is %s", "tidak dapat %s balasan berstatus %s", action, state)
}

// send publishes an approved reply exactly once: it claims the reply
// (approved → sending, recording the attempt), calls Meta, and records
// the platform's id the moment it has it. An answer that does not show
// whether the reply went out is reconciled against the comment's replies
// on the platform: found, it is published; not found, it is sent again
// (at most maxSendAttempts in all). A refusal is failed, with Meta's words.
func (s *Service) send(ctx context.Context, p auth.Principal, replyID int64) (Reply, error) {
	for {
		r, err := s.replyRow(ctx, replyID)
		if err != nil {
			return Reply{}, err
		}
		if r.State != ReplyApproved {
			return r, nil
		}
		if r.Attempts >= maxSendAttempts {
			return s.finish(ctx, p, r, "", fmt.Sprintf("not published after %d attempts", r.Attempts))
		}
		res, err := s.db.DB.ExecContext(ctx, `UPDATE comment_replies SET state = 'sending', attempt_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'approved'`,
			store.FormatTime(s.now()), replyID)
		if err != nil {
			return Reply{}, fmt.Errorf("claim reply %d: %w", replyID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another sender claimed it: read its state
		}
		c, token, err := s.replyTarget(ctx, r)
		if err != nil {
			_, _ = s.db.DB.ExecContext(ctx, `UPDATE comment_replies SET state = 'approved' WHERE id = ? AND state = 'sending'`, replyID)
			return Reply{}, err
		}
		extID, err := s.graph.ReplyComment(ctx, token, c.Platform, c.ExternalID, r.Message)
		switch {
		case err == nil:
			return s.finish(ctx, p, r, extID, "")
		case meta.IsUncertain(err):
			s.log.WarnContext(ctx, "reply outcome uncertain; reconciling", "reply_id", replyID, "err", err)
			done, out, rerr := s.reconcile(ctx, p, r, c, token)
			if rerr != nil || done {
				return out, rerr
			}
		case meta.IsNotSent(err) || meta.ClassOf(err).Retryable():
			if _, uerr := s.db.DB.ExecContext(ctx, `UPDATE comment_replies SET state = 'approved' WHERE id = ? AND state = 'sending'`, replyID); uerr != nil {
				return Reply{}, uerr
			}
			return s.replyRow(ctx, replyID)
		default:
			out, ferr := s.finish(ctx, p, r, "", errorText(err))
			if ferr != nil {
				return Reply{}, ferr
			}
			return out, graphProblem("reply", err)
		}
	}
}

// reconcile looks for the reply on the platform. done is true when the
// reply's outcome is settled (published); otherwise it is approved again
// for another attempt. A failed look leaves it sending, for
// ReconcilePending.
func (s *Service) reconcile(ctx context.Context, p auth.Principal, r Reply, c Comment, token string) (bool, Reply, error) {
	ch, err := s.org.Channel(ctx, c.ChannelID)
	if err != nil {
		return true, Reply{}, err
	}
	found, ok, err := s.graph.FindReply(ctx, token, c.Platform, c.ExternalID, ch.ExternalID, func(m meta.Comment) bool {
		return strings.TrimSpace(m.Message) == r.Message
	})
	if err != nil {
		out, _ := s.replyRow(ctx, r.ID)
		return true, out, fmt.Errorf("reply %d: outcome unknown and the check failed (retried later): %w", r.ID, err)
	}
	if ok {
		out, err := s.finish(ctx, p, r, found.ID, "")
		return true, out, err
	}
	_, err = s.db.DB.ExecContext(ctx, `UPDATE comment_replies SET state = 'approved' WHERE id = ? AND state = 'sending'`, r.ID)
	return false, Reply{}, err
}

// ReconcilePending settles replies left sending (a crash or a failed
// check) for longer than olderThan: found on the platform, published;
// not found, sent again. Replies an attempt left approved (Meta did not
// take them) are sent again too.
func (s *Service) ReconcilePending(ctx context.Context, olderThan time.Duration) (int, error) {
	rows, err := s.db.DB.QueryContext(ctx, `SELECT id FROM comment_replies
WHERE (state = 'sending' OR state = 'approved' AND attempts > 0) AND attempt_at <= ?`,
		store.FormatTime(s.now().Add(-olderThan)))
	if err != nil {
		return 0, fmt.Errorf("pending replies: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	n := 0
	for _, id := range ids {
		r, err := s.replyRow(ctx, id)
		if err != nil {
			return n, err
		}
		if r.State == ReplyApproved {
			if _, err := s.send(ctx, auth.SystemActor, id); err != nil {
				return n, err
			}
			n++
			continue
		}
		c, token, err := s.replyTarget(ctx, r)
		if err != nil {
			return n, err
		}
		done, _, err := s.reconcile(ctx, auth.SystemActor, r, c, token)
		if err != nil {
			return n, err
		}
		if !done {
			if _, err := s.send(ctx, auth.SystemActor, id); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

// replyTarget reads the comment a reply answers and its channel's token.
func (s *Service) replyTarget(ctx context.Context, r Reply) (Comment, string, error) {
	c, err := scanComment(s.db.DB.QueryRowContext(ctx, "SELECT "+qCommentCols+" FROM comments c WHERE c.id = ?", r.CommentID))
	if err != nil {
		return Comment{}, "", fmt.Errorf("comment %d: %w", r.CommentID, err)
	}
	token, err := s.token(ctx, c.ChannelID)
	return c, token, err
}

// finish records a reply's outcome: published with the platform's id
// (the comment is answered, and the reply joins the comments as the
// unit's), or failed with Meta's words.
func (s *Service) finish(ctx context.Context, p auth.Principal, r Reply, extID, failure string) (Reply, error) {
	now := s.now()
	var ch org.Channel
	if failure == "" {
		c, err := scanComment(s.db.DB.QueryRowContext(ctx, "SELECT "+qCommentCols+" FROM comments c WHERE c.id = ?", r.CommentID))
		if err != nil {
			return Reply{}, fmt.Errorf("comment %d: %w", r.CommentID, err)
		}
		if ch, err = s.org.Channel(ctx, c.ChannelID); err != nil {
			return Reply{}, err
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if failure != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE comment_replies SET state = 'failed', error = ? WHERE id = ?`, failure, r.ID); err != nil {
				return err
			}
			return auth.AppendAudit(ctx, tx, now, auth.AuditRecord{Actor: p, Entity: "comment", EntityID: r.CommentID, Action: "reply_failed",
				From: ReplySending, To: ReplyFailed, Reason: failure, Detail: map[string]int64{"reply_id": r.ID}})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comment_replies SET state = 'published', external_id = ?, published_at = ?, error = '' WHERE id = ?`,
			extID, store.FormatTime(now), r.ID); err != nil {
			return err
		}
		ts := store.FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET first_reply_at = ? WHERE id = ? AND (first_reply_at IS NULL OR first_reply_at > ?)`, ts, r.CommentID, ts); err != nil {
			return err
		}
		// The reply as the unit's own comment (the collector finds it too:
		// the same external id, so it is stored once).
		if _, err := tx.ExecContext(ctx, `INSERT INTO comments (channel_id, unit_id, platform, external_id, object_id, parent_id,
  author_id, author_name, message, created_at, collected_at, by_page, status)
SELECT c.channel_id, c.unit_id, c.platform, ?, c.object_id, c.external_id, ?, ?, ?, ?, ?, 1, 'done'
FROM comments c WHERE c.id = ?
ON CONFLICT (channel_id, external_id) DO NOTHING`, extID, ch.ExternalID, ch.Name, r.Message, ts, ts, r.CommentID); err != nil {
			return err
		}
		return auth.AppendAudit(ctx, tx, now, auth.AuditRecord{Actor: p, Entity: "comment", EntityID: r.CommentID, Action: "reply_published",
			From: ReplySending, To: ReplyPublished, Detail: map[string]any{"reply_id": r.ID, "external_id": extID}})
	})
	if err != nil {
		return Reply{}, fmt.Errorf("reply %d outcome: %w", r.ID, err)
	}
	return s.replyRow(ctx, r.ID)
}

// errorText is what Meta said, for the reply's record.
func errorText(err error) string {
	var me *meta.Error
	if errors.As(err, &me) {
		return fmt.Sprintf("%s (code %d)", me.Message, me.Code)
	}
	return err.Error()
}
