package web

import (
	"context"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/valid"
)

// The pages read and act on posts through the scheduler (SchedulerPosts,
// scheduler_adapter.go: every rule is the scheduler's, the adapter turns
// its types into the views below) and on figures through Reports
// (analytics_adapter.go).

// PostView is a post as the pages show it.
type PostView struct {
	ID         int64
	UnitID     int64
	UnitName   string
	AuthorName string
	Caption    string
	// CaptionFB and CaptionIG are the per-network captions ("": the
	// shared one).
	CaptionFB, CaptionIG string
	Link                 string
	// Media are media given by URL; MediaIDs the library items, in the
	// post's order (MediaOrder says how both interleave: the items of
	// the library first).
	Media                []string
	MediaIDs             []int64
	ContentType          string
	Classification       string
	ClassificationReason string
	Campaign             string
	ScheduledAt          time.Time
	Location             *time.Location // the unit's zone
	Recurrence           string
	RecurrenceCount      int
	State                string
	// Version is the content version; ContentHash its hash. The approval
	// and edit forms carry both, so a changed post is not approved or
	// overwritten unseen.
	Version     int64
	ContentHash string
	// AuthorNames is the version's author set: who changed the content
	// since the last approval.
	AuthorNames []string
	// Classification details: the public-information category, the legal
	// basis of an exemption, proposed or confirmed, and by whom.
	Category             string
	LegalBasis           string
	ClassificationStatus string
	ClassifiedByName     string
	ClassifiedByRole     string
	ClassifiedAt         *time.Time
	NeedsPPID            bool // the unit's classification is the PPID's
	ApprovedByName       string
	ApprovedVersion      int64
	ApprovedAt           *time.Time
	Deliveries           []DeliveryView
	CanCancel            bool // the scheduler would let this user cancel it now
	CanEdit              bool // the scheduler would let this user edit it now
	// EditRefusal is why not (an *ActionError), nil when CanEdit.
	EditRefusal error
	// CanApprove, CanClassify: the scheduler would let this user approve
	// this version, or set its classification; ApproveRefusal is why not.
	CanApprove     bool
	ApproveRefusal error
	// ApproveWhyID, ApproveWhyEN: ApproveRefusal's text (both languages).
	ApproveWhyID, ApproveWhyEN string
	CanClassify                bool
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
	// Version is the content version the line names (the one approved,
	// or the one an edit made); Changes what an edit changed.
	Version int64
	Changes []FieldChange
}

// FieldChange is one field an edit changed, before and after (as text).
type FieldChange struct {
	Field, Before, After string
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
	// CaptionFB and CaptionIG replace Caption on that network ("": none).
	CaptionFB, CaptionIG string
	Link                 string
	// Media are URLs given as is (pasted URLs are downloaded into the
	// library when one is wired); MediaIDs library items, in order.
	Media           []string
	MediaIDs        []int64
	Campaign        string
	ScheduledAt     time.Time
	Recurrence      string
	RecurrenceCount int
	Category        string
	LegalBasis      string
	Submit          bool // submit for approval after saving
	// Version is the version the form was opened on (edit).
	Version int64
}

// ClassifyInput is a PPID officer's classification form.
type ClassifyInput struct {
	Version     int64
	ContentHash string
	Level       string
	Category    string
	LegalBasis  string
	Reason      string
}

// ConflictError is an action on a version that is no longer current: the
// page says so and shows the current content (HTTP 409).
type ConflictError struct {
	Message   string
	MessageID string
	Current   PostView
}

func (e *ConflictError) Error() string { return e.Message }

// FieldErrors are per-field validation messages from the scheduler (the
// one field-error type, with form field names); the form shows each
// beside its field.
type FieldErrors = valid.Errors

// ActionError is a refused action (wrong state, role or unit), in both
// languages; the page shows it and answers 409 or 403.
type ActionError struct {
	Status    int
	Message   string
	MessageID string
}

func (e *ActionError) Error() string { return e.Message }

// ErrNotFound means the post does not exist or is not visible: the
// scheduler's not-found problems are it (errors.Is).
var ErrNotFound = valid.ErrNotFound

// Scope is who sees which units: the scheduler's rule
// (*scheduler.Service implements it). Lists, the calendar, channels and
// the report ask it; a unit outside the user's is a 403 naming it.
type Scope interface {
	ScopeUnit(ctx context.Context, p auth.Principal, unitID int64) (int64, error)
	VisibleUnits(ctx context.Context, p auth.Principal) ([]org.Unit, error)
	VisibleChannels(ctx context.Context, p auth.Principal) ([]org.Channel, error)
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
