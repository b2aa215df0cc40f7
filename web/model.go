package web

import (
	"context"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// The pages read and act on posts through Posts and on figures through
// Reports. Both are implemented over the scheduler and analytics packages
// (adapters in scheduler_adapter.go and analytics_adapter.go), which own
// every rule; tests may also use them directly.

// PostView is a post as the pages show it.
type PostView struct {
	ID                   int64
	UnitID               int64
	UnitName             string
	AuthorName           string
	Caption              string
	Link                 string
	Media                []string
	ContentType          string
	Classification       string
	ClassificationReason string
	Campaign             string
	ScheduledAt          time.Time
	Location             *time.Location // the unit's zone
	Recurrence           string
	State                string
	Version              int64
	Deliveries           []DeliveryView
	CanCancel            bool // the scheduler would let this user cancel it now
	CanEdit              bool // the scheduler would let this user edit it now
	// EditRefusal is why not (an *ActionError), nil when CanEdit.
	EditRefusal error
}

// DeliveryView is one target channel of a post.
type DeliveryView struct {
	ChannelID     int64
	ChannelName   string
	Platform      string
	Status        string
	Permalink     string
	ErrorMessage  string // the platform's message, when it failed
	ErrorActionID string // what staff should do, Bahasa Indonesia
	ErrorActionEN string // what staff should do, English
	PublishedAt   *time.Time
}

// AuditView is one line of a post's audit trail.
type AuditView struct {
	At        time.Time
	ActorName string
	Action    string
	FromState string
	ToState   string
	Reason    string
}

// PostFilter narrows the calendar and list.
type PostFilter struct {
	From, To    time.Time // scheduled_at in [From, To)
	UnitID      int64
	ChannelID   int64
	State       string
	ContentType string
	Query       string
}

// PostInput is the compose form, parsed.
type PostInput struct {
	ChannelIDs           []int64
	ContentType          string
	Classification       string
	ClassificationReason string
	Caption              string
	Link                 string
	Media                []string
	Campaign             string
	ScheduledAt          time.Time
	Recurrence           string
	Submit               bool // submit for approval after saving
	Version              int64
}

// FieldErrors are per-field validation messages from the scheduler; the
// form shows each beside its field.
type FieldErrors []valid.FieldError

func (f FieldErrors) Error() string {
	if len(f) == 0 {
		return "invalid fields"
	}
	return "invalid field " + f[0].Field + ": " + f[0].Message
}

// ActionError is a refused action (wrong state, role or unit), in both
// languages; the page shows it and answers 409 or 403.
type ActionError struct {
	Status    int
	Message   string
	MessageID string
}

func (e *ActionError) Error() string { return e.Message }

// ErrNotFound is a post that does not exist or is not visible.
type notFoundError struct{}

func (notFoundError) Error() string { return "not found" }

// ErrNotFound means the post does not exist.
var ErrNotFound error = notFoundError{}

// Posts is what the pages need from the scheduler.
type Posts interface {
	List(ctx context.Context, p auth.Principal, f PostFilter) ([]PostView, error)
	Get(ctx context.Context, p auth.Principal, id int64) (PostView, error)
	Create(ctx context.Context, p auth.Principal, in PostInput) (int64, error)
	Update(ctx context.Context, p auth.Principal, id int64, in PostInput) error
	Approve(ctx context.Context, p auth.Principal, id int64) error
	Reject(ctx context.Context, p auth.Principal, id int64, reason string) error
	Cancel(ctx context.Context, p auth.Principal, id int64, reason string) error
	Queue(ctx context.Context, p auth.Principal) ([]PostView, error)
	Audit(ctx context.Context, p auth.Principal, id int64) ([]AuditView, error)
	// Limits are the caption limits the scheduler validates against.
	Limits() []scheduler.CaptionLimits
	// WritableChannels are the channels p may target in a post of unit
	// unitID (0: p's own unit), as the scheduler decides.
	WritableChannels(ctx context.Context, p auth.Principal, unitID int64) ([]org.Channel, error)
}

// ReportQuery is the report page's period and scope.
type ReportQuery struct {
	From, To         time.Time // calendar dates, To inclusive (midnight UTC)
	PrevFrom, PrevTo time.Time
	UnitID           int64 // 0 = every unit the user may see
}

// Group is one row of a grouped figure.
type Group struct {
	Key          string
	Label        string
	Posts        int64
	Reach        int64
	Interactions int64
	ER           float64 // Σ interactions ÷ Σ reach; NaN without reach
}

// PostStat is one post in a top/bottom list.
type PostStat struct {
	Platform     string
	PostID       string
	Permalink    string
	Caption      string
	ContentType  string
	ChannelName  string
	PublishedAt  time.Time
	Reach        int64
	Interactions int64
	ER           float64
}

// ReportData is what the report page draws.
type ReportData struct {
	ByType, ByTypePrev         []Group
	ByPlatform, ByPlatformPrev []Group
	ByUnit, ByUnitPrev         []Group
	Top, Bottom                []PostStat
	BestTime                   [7][24]GridCell // [0] = Monday, local time
	BestTimeMinPosts           int
	BestTimeWeeks              int
	DefinitionEN, DefinitionID string
}

// Reports is what the report page needs from analytics.
type Reports interface {
	Report(ctx context.Context, p auth.Principal, q ReportQuery) (ReportData, error)
}
