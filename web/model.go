package web

import (
	"context"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/report"
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
	// RejectedReason, RejectedByName and RejectedAt are the last
	// rejection's; pages show them while State is rejected.
	RejectedReason string
	RejectedByName string
	RejectedAt     *time.Time
	Deliveries     []DeliveryView
	CanCancel      bool // the scheduler would let this user cancel it now
	CanEdit        bool // the scheduler would let this user edit it now
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
	PlatformID    string // the post's id on the platform, once published
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

// Reports builds the report document the report page, its PDF, Excel
// and CSV render (*report.Builder does, over the analytics service).
type Reports interface {
	Build(ctx context.Context, r report.Request) (*report.Document, error)
}

// Platform is what the collector found on the Pages and accounts
// (*analytics.Service implements it): posts published outside humas for
// the calendar, and a published post's figures over its age.
type Platform interface {
	PlatformPosts(ctx context.Context, q analytics.PlatformPostsQuery) ([]analytics.PlatformPost, error)
	PostAges(ctx context.Context, platform, postID string) (*analytics.PostAgesReport, error)
}
