package scheduler

import (
	"fmt"
	"time"

	"github.com/humas-id/humas/valid"
)

// Post states.
const (
	StateDraft      = "draft"
	StateSubmitted  = "submitted"
	StateApproved   = "approved"
	StateScheduled  = "scheduled"
	StatePublishing = "publishing"
	StatePublished  = "published"
	StateFailed     = "failed"
	StateCanceled   = "canceled"
	StateRejected   = "rejected"
)

// States lists every post state (for filters).
var States = []string{StateDraft, StateSubmitted, StateApproved, StateScheduled, StatePublishing,
	StatePublished, StateFailed, StateCanceled, StateRejected}

// Delivery statuses.
const (
	DeliveryPending    = "pending"    // the post is not approved yet
	DeliveryScheduled  = "scheduled"  // waiting for next_attempt_at
	DeliveryPublishing = "publishing" // claimed by a worker; a call may be in flight
	DeliveryPublished  = "published"
	DeliveryFailed     = "failed"
	DeliveryCanceled   = "canceled"
)

// Classification levels.
const (
	Public = "public"
	Exempt = "exempt"
)

// Categories of public information under the information-service
// standard: published periodically, immediately (it concerns people's
// lives or public order), or available at any time on request.
const (
	CategoryPeriodic  = "berkala"
	CategoryImmediate = "serta_merta"
	CategoryOnRequest = "setiap_saat"
)

// Categories lists the categories of public information.
var Categories = []string{CategoryPeriodic, CategoryImmediate, CategoryOnRequest}

// Classification statuses: a classification is confirmed when the unit
// lets editors classify or a PPID officer confirmed it; proposed while it
// waits for the PPID.
const (
	ClassificationProposed  = "proposed"
	ClassificationConfirmed = "confirmed"
)

// ContentTypes lists the content types a post can have.
var ContentTypes = []string{"photo", "video", "interactive", "text", "link"}

// Media is one image or video: an item of the media library (MediaID;
// Facebook gets its bytes, Instagram fetches it from humas's signed public
// URL), or a public URL given as is. Width, Height and Duration describe
// it (filled from the library for library items): a vertical Facebook
// video of 90 s or less is published as a Reel.
type Media struct {
	Type     string  `json:"type"` // image or video
	URL      string  `json:"url"`
	MediaID  int64   `json:"media_id,omitempty"`
	Width    int     `json:"width,omitempty"`
	Height   int     `json:"height,omitempty"`
	Duration float64 `json:"duration_seconds,omitempty"`
}

// Classification is the PPID's decision: public information with its
// category, or exempt information with its legal basis and the reason of
// the consequence test.
type Classification struct {
	Level      string `json:"level"`
	Category   string `json:"category,omitempty"`
	LegalBasis string `json:"legal_basis,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Draft is what staff write: the editable part of a post.
type Draft struct {
	UnitID  int64 // 0: the author's unit
	Caption string
	// Captions are per-network captions (facebook, instagram) replacing
	// Caption on that network; absent or empty: Caption is used.
	Captions       map[string]string
	Link           string
	Media          []Media
	ContentType    string
	Classification Classification
	Channels       []int64
	ScheduledAt    time.Time
	Recurrence     string
	// RecurrenceCount is how many occurrences a recurring series has in
	// all (0: MaxOccurrences).
	RecurrenceCount int
	Campaign        string
	Tags            []string
	// BaseVersion is the version the edit was made on (UpdatePost): a
	// different current version is a *VersionError. 0 skips the check.
	BaseVersion int
}

// Post is a planned or published post with its deliveries.
type Post struct {
	ID             int64
	UnitID         int64
	AuthorID       int64
	Caption        string
	Captions       map[string]string
	Link           string
	Media          []Media
	ContentType    string
	Classification Classification
	Campaign       string
	Tags           []string
	ScheduledAt    time.Time
	Recurrence     string
	RecurrenceOf   int64
	// RecurrenceCount is the series' number of occurrences (read from its
	// first post).
	RecurrenceCount int
	State           string
	// ClassificationStatus is proposed or confirmed; ClassifiedBy and
	// ClassifiedAt say who set or confirmed it, and when.
	ClassificationStatus string
	ClassifiedBy         int64
	ClassifiedAt         *time.Time
	// Version is the content version: 1 at creation, one more with each
	// content change. ContentHash() is the hash of that content.
	Version int
	// Authors is the author set of this version: everyone who changed the
	// content since the last approval. None of them may approve it.
	Authors []int64
	// ApprovedVersion and ApprovedHash are the version the approver
	// reviewed and approved (0 and "" until approved).
	ApprovedBy      int64
	ApprovedAt      *time.Time
	ApprovedVersion int
	ApprovedHash    string
	// RejectedReason, RejectedBy and RejectedAt are the last rejection's
	// (kept after a resubmission; pages show them while State is
	// rejected).
	RejectedReason string
	RejectedBy     int64
	RejectedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Deliveries     []Delivery
}

// CaptionFor is the caption published on platform: its own caption when
// the post has one, else the shared one.
func (p Post) CaptionFor(platform string) string { return captionFor(p.Caption, p.Captions, platform) }

func captionFor(shared string, per map[string]string, platform string) string {
	if c := per[platform]; c != "" {
		return c
	}
	return shared
}

// ChannelIDs lists the post's target channels.
func (p Post) ChannelIDs() []int64 {
	ids := make([]int64, len(p.Deliveries))
	for i, d := range p.Deliveries {
		ids[i] = d.ChannelID
	}
	return ids
}

// Delivery is the post on one channel.
type Delivery struct {
	ID          int64
	PostID      int64
	ChannelID   int64
	Platform    string
	Status      string
	ScheduledAt time.Time
	Attempts    int
	PlatformID  string
	Permalink   string
	PublishedAt *time.Time
	Error       *DeliveryError
	// PublishPath is the Graph API path that published it (feed, photo,
	// photos, video, reel, ig_image, ig_reel, ig_carousel), once known.
	PublishPath string
}

// DeliveryError is why a delivery failed (or is being retried): the
// platform's code and message, and what staff should do about it.
type DeliveryError struct {
	Class    string `json:"class"`
	Code     int    `json:"code,omitempty"`
	Subcode  int    `json:"subcode,omitempty"`
	Message  string `json:"message"`
	Action   string `json:"action"`    // a stable key, e.g. reconnect_channel
	ActionID string `json:"action_id"` // what to do, Bahasa Indonesia
	ActionEN string `json:"action_en"` // what to do, English
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor"`
	Entity    string    `json:"entity"`
	EntityID  int64     `json:"entity_id"`
	Action    string    `json:"action"`
	FromState string    `json:"from_state,omitempty"`
	ToState   string    `json:"to_state,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// Filter selects posts.
type Filter struct {
	State     string
	UnitID    int64 // with its descendants
	ChannelID int64
	From, To  time.Time // scheduled_at range [From, To)
	Limit     int
}

// ErrNotFound means no such post (or one the caller may not see): the
// errors are valid.NotFound problems naming the post.
var ErrNotFound = valid.ErrNotFound

func postNotFound(id int64) error {
	return valid.NotFound("post %d does not exist", "kiriman %d tidak ada", id)
}

// ValidationError lists every invalid field, in English and Bahasa
// Indonesia: the one field-error type, valid.Errors.
type ValidationError = valid.Errors

// ForbiddenError is an action the caller's role or unit does not allow
// (HTTP 403).
type ForbiddenError struct{ Msg, MsgID string }

func (e *ForbiddenError) Error() string { return e.Msg }

// Is makes errors.Is(err, valid.ErrForbidden) true.
func (e *ForbiddenError) Is(target error) bool { return target == valid.ErrForbidden }

// Problem describes the refusal for the API and the pages.
func (e *ForbiddenError) Problem() *valid.Problem {
	return &valid.Problem{Kind: valid.ErrForbidden, Code: "forbidden", Msg: e.Msg, MsgID: e.MsgID}
}

func forbidden(en, id string, args ...any) error {
	return &ForbiddenError{Msg: fmt.Sprintf(en, args...), MsgID: fmt.Sprintf(id, args...)}
}

// StateError is an action the post's state does not allow (HTTP 409).
type StateError struct {
	Action, State string
	Msg, MsgID    string
	code          string
}

func (e *StateError) Error() string { return e.Msg }

// Is makes errors.Is(err, valid.ErrConflict) true.
func (e *StateError) Is(target error) bool { return target == valid.ErrConflict }

// Problem describes the conflict for the API and the pages.
func (e *StateError) Problem() *valid.Problem {
	return &valid.Problem{Kind: valid.ErrConflict, Code: e.Code(), Msg: e.Msg, MsgID: e.MsgID}
}

func stateErr(action, state string) error {
	return &StateError{Action: action, State: state,
		Msg:   fmt.Sprintf("cannot %s a post that is %s", action, state),
		MsgID: fmt.Sprintf("tidak dapat melakukan %s pada kiriman berstatus %s", action, state)}
}

// codeClassificationPending is the code of an approval that waits for the
// PPID's confirmation.
const codeClassificationPending = "classification_unconfirmed"

// Code is the API error code of the conflict ("wrong_state" unless the
// error says otherwise).
func (e *StateError) Code() string {
	if e.code != "" {
		return e.code
	}
	return "wrong_state"
}

// VersionError is an approval, rejection, classification or edit made on
// a version of a post that is no longer the current one (HTTP 409).
// Current is the post as it is now: review it and try again.
type VersionError struct {
	Given       int
	GivenHash   string
	Current     Post
	CurrentHash string
}

func (e *VersionError) Error() string {
	given := fmt.Sprintf("version %d", e.Given)
	if e.Given == 0 {
		given = "content hash " + e.GivenHash
	}
	return fmt.Sprintf("post %d changed: it is at version %d now, not %s; review the current content and try again",
		e.Current.ID, e.Current.Version, given)
}

// Is makes errors.Is(err, valid.ErrConflict) true.
func (e *VersionError) Is(target error) bool { return target == valid.ErrConflict }

// Problem describes the conflict for the API and the pages (the API adds
// the current post to it).
func (e *VersionError) Problem() *valid.Problem {
	return &valid.Problem{Kind: valid.ErrConflict, Code: "version_mismatch", Msg: e.Error(), MsgID: e.MessageID()}
}

// MessageID is the error in Bahasa Indonesia.
func (e *VersionError) MessageID() string {
	given := fmt.Sprintf("versi %d", e.Given)
	if e.Given == 0 {
		given = "hash konten " + e.GivenHash
	}
	return fmt.Sprintf("kiriman %d telah berubah: kini versi %d, bukan %s; periksa isi terbaru lalu coba lagi",
		e.Current.ID, e.Current.Version, given)
}
