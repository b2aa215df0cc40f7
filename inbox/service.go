package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Graph is what the inbox needs of the Graph API (*meta.Client).
type Graph interface {
	ReplyComment(ctx context.Context, token, platform, commentID, message string) (string, error)
	FindReply(ctx context.Context, token, platform, commentID, authorID string, match func(meta.Comment) bool) (meta.Comment, bool, error)
	HideComment(ctx context.Context, token, platform, commentID string, hide bool) error
}

// Options configure a Service.
type Options struct {
	Graph  Graph // nil: replies and hides fail (the inbox still lists)
	Logger *slog.Logger
	Now    func() time.Time
}

// Service is the comments inbox.
type Service struct {
	db    *store.SQLite
	org   *org.Store
	users *auth.Store
	graph Graph
	log   *slog.Logger
	now   func() time.Time
}

// New returns the inbox over the state database.
func New(db *store.SQLite, orgs *org.Store, o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: db, org: orgs, users: auth.NewStore(db), graph: o.Graph, log: o.Logger, now: o.Now}
}

// Comment statuses.
const (
	StatusNew  = "new"
	StatusDone = "done"
)

// Comment is one comment in the inbox.
type Comment struct {
	ID           int64      `json:"id"`
	ChannelID    int64      `json:"channel_id"`
	UnitID       int64      `json:"unit_id"`
	Platform     string     `json:"platform"`
	ExternalID   string     `json:"external_id"`
	ObjectID     string     `json:"post_external_id"`
	PostText     string     `json:"post_text"`
	PostURL      string     `json:"post_url"`
	ParentID     string     `json:"parent_external_id,omitempty"`
	AuthorID     string     `json:"author_id"`
	AuthorName   string     `json:"author_name"`
	Message      string     `json:"message"`
	CreatedAt    time.Time  `json:"created_at"`
	ByPage       bool       `json:"by_page"`
	IsQuestion   bool       `json:"is_question"`
	Hidden       bool       `json:"hidden"`
	Status       string     `json:"status"`
	AssigneeID   int64      `json:"assignee_id,omitempty"`
	AssigneeName string     `json:"assignee_name,omitempty"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	FirstReplyAt *time.Time `json:"first_reply_at,omitempty"`
	Replies      []Reply    `json:"replies"`
}

// Filter selects inbox comments. Zero values select everything in the
// principal's units.
type Filter struct {
	UnitID    int64  // a unit in the principal's reach (0: the principal's own); units below it roll up
	ChannelID int64  // one channel
	ObjectID  string // one post
	Status    string // new or done
	Question  *bool  // only questions (true) or only other comments (false)
	Assignee  int64  // assigned to this user
	Limit     int    // default 50, at most 200
	Offset    int
}

const qCommentCols = `c.id, c.channel_id, c.unit_id, c.platform, c.external_id, c.object_id, c.post_text, c.post_url, c.parent_id,
  c.author_id, c.author_name, c.message, c.created_at, c.by_page, c.is_question, c.hidden, c.status, coalesce(c.assignee_id, 0),
  '', c.done_at, c.first_reply_at`

const qCommentFrom = ` FROM comments c`

func scanComment(r interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var created string
	var done, replied sql.NullString
	if err := r.Scan(&c.ID, &c.ChannelID, &c.UnitID, &c.Platform, &c.ExternalID, &c.ObjectID, &c.PostText, &c.PostURL, &c.ParentID,
		&c.AuthorID, &c.AuthorName, &c.Message, &created, &c.ByPage, &c.IsQuestion, &c.Hidden, &c.Status, &c.AssigneeID,
		&c.AssigneeName, &done, &replied); err != nil {
		return c, err
	}
	t, err := store.ParseTime(created)
	if err != nil {
		return c, err
	}
	c.CreatedAt = t
	c.DoneAt, c.FirstReplyAt = store.ParseNullTime(done), store.ParseNullTime(replied)
	c.Replies = []Reply{}
	return c, nil
}

// scope returns the units p may see comments of (nil: every unit, for an admin
// without a unit filter), narrowed to unit (and below) when unit is set.
func (s *Service) scope(ctx context.Context, p auth.Principal, unit int64) ([]int64, error) {
	if unit == 0 {
		if p.Role == auth.RoleAdmin {
			return nil, nil
		}
		unit = p.UnitID
	}
	if p.Role != auth.RoleAdmin {
		ok, err := s.org.InSubtree(ctx, p.UnitID, unit)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, valid.Forbidden("unit %d is outside your unit", "unit %d di luar unit Anda", unit)
		}
	}
	return s.org.Descendants(ctx, unit)
}

// List returns the comments the filter selects: new ones first, then the
// newest first. The unit's own replies are not listed as comments; they
// are each comment's Replies.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Comment, int, error) {
	units, err := s.scope(ctx, p, f.UnitID)
	if err != nil {
		return nil, 0, err
	}
	where := []string{"c.by_page = 0"}
	var args []any
	if units != nil {
		where = append(where, "c.unit_id IN (SELECT value FROM json_each(?))")
		args = append(args, jsonInts(units))
	}
	if f.ChannelID != 0 {
		where, args = append(where, "c.channel_id = ?"), append(args, f.ChannelID)
	}
	if f.ObjectID != "" {
		where, args = append(where, "c.object_id = ?"), append(args, f.ObjectID)
	}
	switch f.Status {
	case "":
	case StatusNew, StatusDone:
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	default:
		return nil, 0, valid.BadParam("status", "status must be new or done", "status harus new atau done")
	}
	if f.Question != nil {
		where, args = append(where, "c.is_question = ?"), append(args, *f.Question)
	}
	if f.Assignee != 0 {
		where, args = append(where, "c.assignee_id = ?"), append(args, f.Assignee)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.DB.QueryRowContext(ctx, "SELECT count(*)"+qCommentFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count inbox: %w", err)
	}
	q := "SELECT " + qCommentCols + qCommentFrom + cond +
		" ORDER BY CASE c.status WHEN 'new' THEN 0 ELSE 1 END, c.created_at DESC, c.id DESC LIMIT ? OFFSET ?"
	rows, err := s.db.DB.QueryContext(ctx, q, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list inbox: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list inbox: %w", err)
		}
		c.AssigneeName = s.userName(ctx, c.AssigneeID)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := s.attachReplies(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func jsonInts(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", id)
	}
	b.WriteByte(']')
	return b.String()
}

// Get returns one comment p may see, with its replies.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Comment, error) {
	c, err := scanComment(s.db.DB.QueryRowContext(ctx, "SELECT "+qCommentCols+qCommentFrom+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, notFound(id)
	}
	if err != nil {
		return Comment{}, fmt.Errorf("comment %d: %w", id, err)
	}
	if p.Role != auth.RoleAdmin {
		ok, err := s.org.InSubtree(ctx, p.UnitID, c.UnitID)
		if err != nil {
			return Comment{}, err
		}
		if !ok {
			return Comment{}, notFound(id)
		}
	}
	c.AssigneeName = s.userName(ctx, c.AssigneeID)
	list := []Comment{c}
	if err := s.attachReplies(ctx, list); err != nil {
		return Comment{}, err
	}
	return list[0], nil
}

func notFound(id int64) error {
	return valid.NotFound("comment %d does not exist", "komentar %d tidak ada", id)
}

// checkAct: editors, approvers, PPID officers and admins work the inbox;
// viewers read it.
func checkAct(p auth.Principal) error {
	if !slices.Contains([]auth.Role{auth.RoleEditor, auth.RoleApprover, auth.RolePPID, auth.RoleAdmin}, p.Role) {
		return valid.Forbidden("working the inbox needs the editor, approver, PPID or admin role; you are %s",
			"mengelola kotak masuk memerlukan peran editor, approver, PPID atau admin; peran Anda %s", string(p.Role))
	}
	return nil
}

// audit appends an audit line for a comment.
func (s *Service) audit(ctx context.Context, x auth.Execer, p auth.Principal, id int64, action, from, to string, detail any) error {
	return auth.AppendAudit(ctx, x, s.now(), auth.AuditRecord{Actor: p, Entity: "comment", EntityID: id, Action: action, From: from, To: to, Detail: detail})
}

// SetDone marks a comment done (or new again).
func (s *Service) SetDone(ctx context.Context, p auth.Principal, id int64, done bool) (Comment, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Comment{}, err
	}
	if err := checkAct(p); err != nil {
		return Comment{}, err
	}
	to, doneAt := StatusNew, any(nil)
	if done {
		to, doneAt = StatusDone, store.FormatTime(s.now())
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = ?, done_at = ? WHERE id = ?`, to, doneAt, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, id, "status", c.Status, to, nil)
	})
	if err != nil {
		return Comment{}, fmt.Errorf("comment %d status: %w", id, err)
	}
	return s.Get(ctx, p, id)
}

// Assign gives a comment to a colleague (userID 0: nobody) who works in
// the comment's unit or above it.
func (s *Service) Assign(ctx context.Context, p auth.Principal, id, userID int64) (Comment, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Comment{}, err
	}
	if err := checkAct(p); err != nil {
		return Comment{}, err
	}
	var assignee any
	name := ""
	if userID != 0 {
		u, err := s.users.UserByID(ctx, userID)
		if errors.Is(err, auth.ErrUserNotFound) || err == nil && u.DisabledAt != nil {
			return Comment{}, valid.Invalid("assignee_id", fmt.Sprintf("user %d does not exist or is disabled", userID),
				fmt.Sprintf("pengguna %d tidak ada atau dinonaktifkan", userID))
		}
		if err != nil {
			return Comment{}, err
		}
		name = u.Name
		ok, err := s.org.InSubtree(ctx, u.UnitID, c.UnitID)
		if err != nil {
			return Comment{}, err
		}
		if !ok {
			return Comment{}, valid.Invalid("assignee_id", fmt.Sprintf("%s does not work in the comment's unit or above it", name),
				fmt.Sprintf("%s tidak bekerja di unit komentar ini atau di atasnya", name))
		}
		assignee = userID
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET assignee_id = ? WHERE id = ?`, assignee, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, id, "assign", c.AssigneeName, name, map[string]int64{"assignee_id": userID})
	})
	if err != nil {
		return Comment{}, fmt.Errorf("assign comment %d: %w", id, err)
	}
	return s.Get(ctx, p, id)
}

// Hide hides a comment on the platform (spam, abuse) or shows it again.
func (s *Service) Hide(ctx context.Context, p auth.Principal, id int64, hide bool) (Comment, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Comment{}, err
	}
	if err := checkAct(p); err != nil {
		return Comment{}, err
	}
	token, err := s.token(ctx, c.ChannelID)
	if err != nil {
		return Comment{}, err
	}
	if err := s.graph.HideComment(ctx, token, c.Platform, c.ExternalID, hide); err != nil {
		return Comment{}, graphProblem("hide", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET hidden = ? WHERE id = ?`, hide, id); err != nil {
			return err
		}
		action := "hide"
		if !hide {
			action = "unhide"
		}
		return s.audit(ctx, tx, p, id, action, "", "", nil)
	})
	if err != nil {
		return Comment{}, fmt.Errorf("hide comment %d: %w", id, err)
	}
	return s.Get(ctx, p, id)
}

func (s *Service) token(ctx context.Context, channelID int64) (string, error) {
	if s.graph == nil {
		return "", valid.Conflict("no_graph", "humas has no Graph API client configured", "humas tidak memiliki klien Graph API")
	}
	return s.org.ChannelToken(ctx, channelID)
}

// graphProblem tells staff what Meta said and what to do.
func graphProblem(action string, err error) error {
	var me *meta.Error
	if errors.As(err, &me) && me.Class == meta.ClassPermission {
		return valid.Conflict("missing_permission",
			"Meta refused to %s: the channel's token lacks %s; reconnect the channel granting it",
			"Meta menolak (%s): token kanal tidak memiliki izin %s; sambungkan ulang kanal dengan izin itu", action, me.Permission)
	}
	if me != nil {
		return valid.Conflict("graph_error", "Meta refused to %s: %s (code %d)", "Meta menolak (%s): %s (kode %d)", action, me.Message, me.Code)
	}
	return fmt.Errorf("%s: %w", action, err)
}

func (s *Service) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// userName names a user for display ("" for none or unknown).
func (s *Service) userName(ctx context.Context, id int64) string {
	if id == 0 {
		return ""
	}
	u, err := s.users.UserByID(ctx, id)
	if err != nil {
		return ""
	}
	return u.Name
}
