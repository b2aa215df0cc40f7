package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// UserLister lists users, for author names (auth.Store does).
type UserLister interface {
	Users(ctx context.Context) ([]auth.User, error)
}

// SchedulerPosts implements Posts over scheduler.Service: every rule
// (validation, state transitions, who may do what) is the scheduler's.
type SchedulerPosts struct {
	S     *scheduler.Service
	Users UserLister
}

// NewSchedulerPosts adapts s for the pages.
func NewSchedulerPosts(s *scheduler.Service, users UserLister) *SchedulerPosts {
	return &SchedulerPosts{S: s, Users: users}
}

// names are the lookups a page of posts needs.
type names struct {
	units    map[int64]org.Unit
	channels map[int64]org.Channel
	users    map[int64]string
	roles    map[int64]auth.Role
}

func (a *SchedulerPosts) names(ctx context.Context) (names, error) {
	n := names{units: map[int64]org.Unit{}, channels: map[int64]org.Channel{}, users: map[int64]string{}, roles: map[int64]auth.Role{}}
	us, err := a.S.Org().Units(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range us {
		n.units[u.ID] = u
	}
	cs, err := a.S.Org().Channels(ctx)
	if err != nil {
		return n, err
	}
	for _, c := range cs {
		n.channels[c.ID] = c
	}
	if a.Users != nil {
		users, err := a.Users.Users(ctx)
		if err != nil {
			return n, err
		}
		for _, u := range users {
			n.users[u.ID], n.roles[u.ID] = u.Name, u.Role
		}
	}
	return n, nil
}

func (n names) view(p scheduler.Post) PostView {
	u := n.units[p.UnitID]
	v := PostView{ID: p.ID, UnitID: p.UnitID, UnitName: u.Name, AuthorName: n.users[p.AuthorID], Caption: p.Caption,
		Link: p.Link, ContentType: p.ContentType, Classification: p.Classification.Level,
		ClassificationReason: p.Classification.Reason, Campaign: p.Campaign, ScheduledAt: p.ScheduledAt,
		Location: u.Location(), Recurrence: p.Recurrence, RecurrenceCount: p.RecurrenceCount, State: p.State,
		Version: int64(p.Version), ContentHash: p.ContentHash(), Category: p.Classification.Category,
		LegalBasis: p.Classification.LegalBasis, ClassificationStatus: p.ClassificationStatus,
		ClassifiedByName: n.users[p.ClassifiedBy], ClassifiedByRole: string(n.roles[p.ClassifiedBy]), ClassifiedAt: p.ClassifiedAt,
		NeedsPPID: u.NeedsPPID(), ApprovedByName: n.users[p.ApprovedBy], ApprovedVersion: int64(p.ApprovedVersion), ApprovedAt: p.ApprovedAt,
		RejectedReason: p.RejectedReason, RejectedByName: n.users[p.RejectedBy], RejectedAt: p.RejectedAt}
	for _, id := range p.Authors {
		v.AuthorNames = append(v.AuthorNames, n.users[id])
	}
	for _, m := range p.Media {
		if m.MediaID != 0 {
			v.MediaIDs = append(v.MediaIDs, m.MediaID)
		} else {
			v.Media = append(v.Media, m.URL)
		}
	}
	v.CaptionFB, v.CaptionIG = p.Captions["facebook"], p.Captions["instagram"]
	for _, d := range p.Deliveries {
		ch := n.channels[d.ChannelID]
		dv := DeliveryView{ChannelID: d.ChannelID, ChannelName: ch.Name, Platform: d.Platform, Status: d.Status,
			Permalink: d.Permalink, PlatformID: d.PlatformID, PublishedAt: d.PublishedAt}
		if dv.Platform == "" {
			dv.Platform = ch.Platform
		}
		if d.Error != nil {
			dv.ErrorMessage, dv.ErrorActionID, dv.ErrorActionEN = d.Error.Message, d.Error.ActionID, d.Error.ActionEN
		}
		v.Deliveries = append(v.Deliveries, dv)
	}
	return v
}

// List lists posts; the text and content-type filters apply here, the
// rest in the scheduler.
func (a *SchedulerPosts) List(ctx context.Context, p auth.Principal, f PostFilter) ([]PostView, error) {
	posts, err := a.S.Posts(ctx, p, scheduler.Filter{State: f.State, UnitID: f.UnitID, ChannelID: f.ChannelID,
		From: f.From, To: f.To, Limit: 1000})
	if err != nil {
		return nil, mapSchedulerErr(err)
	}
	n, err := a.names(ctx)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(f.Query)
	var shown []scheduler.Post
	for _, post := range posts {
		if f.ContentType != "" && post.ContentType != f.ContentType {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(post.Caption), q) {
			continue
		}
		shown = append(shown, post)
	}
	refusals, err := a.S.CanEditEach(ctx, p, shown)
	if err != nil {
		return nil, err
	}
	out := make([]PostView, 0, len(shown))
	for i, post := range shown {
		v := n.view(post)
		v.CanEdit = refusals[i] == nil
		out = append(out, v)
	}
	// The calendar reads better oldest first.
	slices.SortStableFunc(out, func(x, y PostView) int { return x.ScheduledAt.Compare(y.ScheduledAt) })
	return out, nil
}

// Get returns one post, with whether p may cancel and edit it (the
// scheduler's rules, asked of the scheduler).
func (a *SchedulerPosts) Get(ctx context.Context, p auth.Principal, id int64) (PostView, error) {
	post, err := a.S.Post(ctx, p, id)
	if err != nil {
		return PostView{}, mapSchedulerErr(err)
	}
	n, err := a.names(ctx)
	if err != nil {
		return PostView{}, err
	}
	return a.decorate(ctx, p, n, post), nil
}

// WritableChannels asks the scheduler which channels p may target.
func (a *SchedulerPosts) WritableChannels(ctx context.Context, p auth.Principal, unitID int64) ([]org.Channel, error) {
	return a.S.WritableChannels(ctx, p, unitID)
}

// Queue lists the posts waiting for approval that p may see, with
// whether p may approve each version or set its classification.
func (a *SchedulerPosts) Queue(ctx context.Context, p auth.Principal) ([]PostView, error) {
	posts, err := a.S.Posts(ctx, p, scheduler.Filter{State: scheduler.StateSubmitted, Limit: 1000})
	if err != nil {
		return nil, mapSchedulerErr(err)
	}
	n, err := a.names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PostView, 0, len(posts))
	for _, post := range posts {
		out = append(out, a.decorate(ctx, p, n, post))
	}
	slices.SortStableFunc(out, func(x, y PostView) int { return x.ScheduledAt.Compare(y.ScheduledAt) })
	return out, nil
}

// decorate is the post's view with what the scheduler lets p do to it.
func (a *SchedulerPosts) decorate(ctx context.Context, p auth.Principal, n names, post scheduler.Post) PostView {
	v := n.view(post)
	v.CanCancel = a.S.CanCancel(ctx, p, post) == nil
	v.EditRefusal = mapSchedulerErr(a.S.CanEdit(ctx, p, post))
	v.CanEdit = v.EditRefusal == nil
	v.ApproveRefusal = mapSchedulerErr(a.S.CanApprove(ctx, p, post))
	v.CanApprove = v.ApproveRefusal == nil
	var ae *ActionError
	if errors.As(v.ApproveRefusal, &ae) {
		v.ApproveWhyID, v.ApproveWhyEN = ae.MessageID, ae.Message
	}
	v.CanClassify = a.S.CanClassify(ctx, p, post) == nil
	return v
}

// Audit returns the post's audit trail.
func (a *SchedulerPosts) Audit(ctx context.Context, p auth.Principal, id int64) ([]AuditView, error) {
	entries, err := a.S.Audit(ctx, p, id)
	if err != nil {
		return nil, mapSchedulerErr(err)
	}
	n, err := a.names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AuditView, 0, len(entries))
	for _, e := range entries {
		v := AuditView{At: e.At, ActorName: e.ActorName, Action: e.Action, FromState: e.FromState, ToState: e.ToState, Reason: e.Reason}
		v.Version, v.Changes = auditDetail(e.Detail)
		for i, c := range v.Changes {
			if c.Field == "classification.classified_by" { // user ids: show names
				v.Changes[i].Before, v.Changes[i].After = n.userName(c.Before), n.userName(c.After)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Create writes a new post (and submits it when asked).
func (a *SchedulerPosts) Create(ctx context.Context, p auth.Principal, in PostInput) (int64, error) {
	d, err := a.draft(ctx, p, in)
	if err != nil {
		return 0, err
	}
	post, err := a.S.CreatePost(ctx, p, d, in.Submit)
	if err != nil {
		return 0, mapSchedulerErr(err)
	}
	return post.ID, nil
}

// Update replaces a post's editable fields (and submits it when asked).
func (a *SchedulerPosts) Update(ctx context.Context, p auth.Principal, id int64, in PostInput) error {
	d, err := a.draft(ctx, p, in)
	if err != nil {
		return err
	}
	d.BaseVersion = int(in.Version)
	post, err := a.S.UpdatePost(ctx, p, id, d)
	if err != nil {
		return a.conflict(ctx, err)
	}
	if in.Submit && (post.State == scheduler.StateDraft || post.State == scheduler.StateRejected) {
		if _, err := a.S.Submit(ctx, p, id); err != nil {
			return mapSchedulerErr(err)
		}
	}
	return nil
}

// Cancel stops a post; deliveries already published stay published.
func (a *SchedulerPosts) Cancel(ctx context.Context, p auth.Principal, id int64, reason string) error {
	_, err := a.S.Cancel(ctx, p, id, reason)
	return mapSchedulerErr(err)
}

// Limits are the caption limits the scheduler validates against.
func (a *SchedulerPosts) Limits() []scheduler.CaptionLimits { return scheduler.AllLimits() }

// draft converts the form into the scheduler's draft: media types from
// the URL's extension, and the recurrence choice into a cron spec at the
// post's local time.
func (a *SchedulerPosts) draft(ctx context.Context, p auth.Principal, in PostInput) (scheduler.Draft, error) {
	d := scheduler.Draft{Caption: in.Caption, Link: in.Link, ContentType: in.ContentType,
		Classification: scheduler.Classification{Level: in.Classification, Category: in.Category, LegalBasis: in.LegalBasis,
			Reason: in.ClassificationReason},
		Channels: in.ChannelIDs, ScheduledAt: in.ScheduledAt, Campaign: in.Campaign, RecurrenceCount: in.RecurrenceCount}
	for _, id := range in.MediaIDs {
		d.Media = append(d.Media, scheduler.Media{MediaID: id})
	}
	for _, m := range in.Media {
		d.Media = append(d.Media, scheduler.Media{Type: mediaType(m), URL: m})
	}
	if in.CaptionFB != "" || in.CaptionIG != "" {
		d.Captions = map[string]string{"facebook": in.CaptionFB, "instagram": in.CaptionIG}
	}
	spec, err := recurrenceSpec(in.Recurrence, in.ScheduledAt)
	if err != nil {
		return d, err
	}
	d.Recurrence = spec
	return d, nil
}

// mediaType guesses image or video from the URL's file extension.
func mediaType(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "image"
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".mp4", ".mov", ".m4v", ".webm":
		return "video"
	}
	return "image"
}

// recurrenceSpec turns the form's choice into the scheduler's cron spec
// (seconds first) at the time of day of at; a cron spec typed by hand
// passes through for the scheduler to check.
func recurrenceSpec(choice string, at time.Time) (string, error) {
	switch choice {
	case "":
		return "", nil
	case "daily":
		return fmt.Sprintf("0 %d %d * * *", at.Minute(), at.Hour()), nil
	case "weekly":
		return fmt.Sprintf("0 %d %d * * %d", at.Minute(), at.Hour(), int(at.Weekday())), nil
	case "monthly":
		return fmt.Sprintf("0 %d %d %d * *", at.Minute(), at.Hour(), at.Day()), nil
	}
	return choice, nil
}

// recurrenceChoice maps a stored cron spec back to the form's choices
// when it is one of them.
func recurrenceChoice(spec string, at time.Time) string {
	for _, c := range []string{"daily", "weekly", "monthly"} {
		if s, _ := recurrenceSpec(c, at); s == spec {
			return c
		}
	}
	return spec
}

// mapSchedulerErr turns the scheduler's typed errors into the page's:
// invalid fields (form names), a refusal with the status api.Classify
// gives its kind (the API's one mapping), not found as it is.
func mapSchedulerErr(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	var ve valid.Errors
	if errors.As(err, &ve) {
		out := FieldErrors(slices.Clone(ve))
		for i := range out {
			out[i].Field = formField(out[i].Field)
		}
		return out
	}
	if p, ok := valid.ProblemOf(err); ok {
		if e := api.Classify(p); e != nil {
			return &ActionError{Status: e.Status, Message: e.Message, MessageID: e.MessageID}
		}
	}
	return err
}

// statusOf is the status api.Classify gives err (500 when it gives none).
func statusOf(err error) int {
	if e := api.Classify(err); e != nil {
		return e.Status
	}
	return http.StatusInternalServerError
}

// formField maps the scheduler's field paths ("media[1].url",
// "classification.reason") to the form's field names.
func formField(f string) string {
	switch {
	case f == "classification.reason":
		return "classification_reason"
	case f == "classification.category":
		return "category"
	case f == "classification.legal_basis":
		return "legal_basis"
	case strings.HasPrefix(f, "classification"):
		return "classification"
	case strings.HasPrefix(f, "media"):
		return "media"
	case strings.HasPrefix(f, "channels"):
		return "channels"
	}
	return f
}

// userName is the name of the user whose id is id (as audit text), or
// "–" for none.
func (n names) userName(id string) string {
	if v := parseID(id); v > 0 && n.users[v] != "" {
		return n.users[v]
	}
	return "–"
}
