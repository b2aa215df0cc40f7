package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// postRequest is the body of POST /posts (and, with pointers, PATCH).
type postRequest struct {
	Caption        *string                   `json:"caption"`
	Captions       *map[string]string        `json:"captions"`
	Link           *string                   `json:"link"`
	Media          *[]scheduler.Media        `json:"media"`
	ContentType    *string                   `json:"content_type"`
	Classification *scheduler.Classification `json:"classification"`
	Channels       *[]int64                  `json:"channels"`
	ScheduledAt    *string                   `json:"scheduled_at"`
	Recurrence     *string                   `json:"recurrence"`
	RecurrenceCnt  *int                      `json:"recurrence_count"`
	Campaign       *string                   `json:"campaign"`
	Tags           *[]string                 `json:"tags"`
	Unit           *string                   `json:"unit"`
	Submit         bool                      `json:"submit"`
	// Version (PATCH): the version the edit was made on; a newer current
	// version answers 409 instead of overwriting it.
	Version *int `json:"version"`
}

type deliveryView struct {
	ID          int64                    `json:"id"`
	ChannelID   int64                    `json:"channel_id"`
	Platform    string                   `json:"platform"`
	Status      string                   `json:"status"`
	Attempts    int                      `json:"attempts"`
	PlatformID  string                   `json:"platform_id,omitempty"`
	Permalink   string                   `json:"permalink,omitempty"`
	PublishedAt string                   `json:"published_at,omitempty"`
	Error       *scheduler.DeliveryError `json:"error,omitempty"`
	PublishPath string                   `json:"publish_path,omitempty"` // feed, photo, photos, video, reel, ig_*
}

// classificationView is the classification with who set or confirmed it.
type classificationView struct {
	scheduler.Classification
	Status       string `json:"status"` // proposed or confirmed
	ClassifiedBy int64  `json:"classified_by,omitempty"`
	ClassifiedAt string `json:"classified_at,omitempty"`
}

type postView struct {
	ID              int64              `json:"id"`
	Unit            int64              `json:"unit_id"`
	Author          int64              `json:"author_id"`
	State           string             `json:"state"`
	Version         int                `json:"version"`
	ContentHash     string             `json:"content_hash"`
	Authors         []int64            `json:"authors"`
	Caption         string             `json:"caption"`
	Captions        map[string]string  `json:"captions,omitempty"`
	Link            string             `json:"link,omitempty"`
	Media           []scheduler.Media  `json:"media"`
	ContentType     string             `json:"content_type"`
	Classification  classificationView `json:"classification"`
	Campaign        string             `json:"campaign,omitempty"`
	Tags            []string           `json:"tags"`
	ScheduledAt     string             `json:"scheduled_at"`
	Timezone        string             `json:"timezone"`
	Recurrence      string             `json:"recurrence,omitempty"`
	RecurrenceCount int                `json:"recurrence_count,omitempty"`
	RecurrenceOf    int64              `json:"recurrence_of,omitempty"`
	ApprovedBy      int64              `json:"approved_by,omitempty"`
	ApprovedAt      string             `json:"approved_at,omitempty"`
	ApprovedVersion int                `json:"approved_version,omitempty"`
	ApprovedHash    string             `json:"approved_hash,omitempty"`
	CreatedAt       string             `json:"created_at"`
	UpdatedAt       string             `json:"updated_at"`
	Deliveries      []deliveryView     `json:"deliveries"`
}

// locs caches unit time zones for one answer.
type locs struct {
	d SchedulerDeps
	c *gin.Context
	m map[int64]*time.Location
}

func (l *locs) of(unitID int64) *time.Location {
	if loc, ok := l.m[unitID]; ok {
		return loc
	}
	loc := time.UTC
	if u, err := l.d.Org.Unit(l.c.Request.Context(), unitID); err == nil {
		loc = u.Location()
	}
	l.m[unitID] = loc
	return loc
}

func (d SchedulerDeps) locs(c *gin.Context) *locs {
	return &locs{d: d, c: c, m: map[int64]*time.Location{}}
}

// view shows times in the unit's time zone.
func (l *locs) view(p scheduler.Post) postView {
	loc := l.of(p.UnitID)
	f := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
	v := postView{ID: p.ID, Unit: p.UnitID, Author: p.AuthorID, State: p.State, Version: p.Version, ContentHash: p.ContentHash(),
		Authors: p.Authors, Caption: p.Caption, Captions: p.Captions, Link: p.Link, Media: p.Media, ContentType: p.ContentType,
		Classification: classificationView{Classification: p.Classification, Status: p.ClassificationStatus, ClassifiedBy: p.ClassifiedBy},
		Campaign:       p.Campaign, Tags: p.Tags, ScheduledAt: f(p.ScheduledAt), Timezone: loc.String(), Recurrence: p.Recurrence,
		RecurrenceCount: p.RecurrenceCount, RecurrenceOf: p.RecurrenceOf, ApprovedBy: p.ApprovedBy,
		ApprovedVersion: p.ApprovedVersion, ApprovedHash: p.ApprovedHash, CreatedAt: f(p.CreatedAt), UpdatedAt: f(p.UpdatedAt),
		Deliveries: make([]deliveryView, 0, len(p.Deliveries))}
	if p.ApprovedAt != nil {
		v.ApprovedAt = f(*p.ApprovedAt)
	}
	if p.ClassifiedAt != nil {
		v.Classification.ClassifiedAt = f(*p.ClassifiedAt)
	}
	for _, d := range p.Deliveries {
		dv := deliveryView{ID: d.ID, ChannelID: d.ChannelID, Platform: d.Platform, Status: d.Status, Attempts: d.Attempts,
			PlatformID: d.PlatformID, Permalink: d.Permalink, Error: d.Error}
		if d.PublishedAt != nil {
			dv.PublishedAt = f(*d.PublishedAt)
		}
		dv.PublishPath = d.PublishPath
		v.Deliveries = append(v.Deliveries, dv)
	}
	return v
}

// parseTime accepts RFC 3339, or a local time without offset read in loc.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// apply merges a request onto a draft.
func (d SchedulerDeps) apply(c *gin.Context, r postRequest, dr *scheduler.Draft) error {
	if r.Unit != nil {
		id, err := d.resolveUnit(c, *r.Unit, "unit")
		if err != nil {
			return err
		}
		dr.UnitID = id
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&dr.Caption, r.Caption)
	set(&dr.Link, r.Link)
	set(&dr.ContentType, r.ContentType)
	set(&dr.Recurrence, r.Recurrence)
	set(&dr.Campaign, r.Campaign)
	if r.Media != nil {
		dr.Media = *r.Media
	}
	if r.Captions != nil {
		dr.Captions = *r.Captions
	}
	if r.Classification != nil {
		dr.Classification = *r.Classification
	}
	if r.Channels != nil {
		dr.Channels = *r.Channels
	}
	if r.Tags != nil {
		dr.Tags = *r.Tags
	}
	if r.RecurrenceCnt != nil {
		dr.RecurrenceCount = *r.RecurrenceCnt
	}
	if r.Version != nil {
		dr.BaseVersion = *r.Version
	}
	if r.ScheduledAt != nil {
		unitID := dr.UnitID
		if unitID == 0 {
			unitID = Principal(c).UnitID
		}
		loc := (&locs{d: d, c: c, m: map[int64]*time.Location{}}).of(unitID)
		t, ok := parseTime(*r.ScheduledAt, loc)
		if !ok {
			return Unprocessable([]valid.FieldError{{Field: "scheduled_at", Message: strconv.Quote(*r.ScheduledAt) + " is not RFC 3339, e.g. 2026-03-01T09:00:00+07:00",
				MessageID: strconv.Quote(*r.ScheduledAt) + " bukan format RFC 3339, mis. 2026-03-01T09:00:00+07:00"}})
		}
		dr.ScheduledAt = t
	}
	return nil
}

func (d SchedulerDeps) createPost(c *gin.Context) (any, error) {
	var r postRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	var dr scheduler.Draft
	if err := d.apply(c, r, &dr); err != nil {
		return nil, err
	}
	p, err := d.Calendar.CreatePost(c.Request.Context(), Principal(c), dr, r.Submit)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	return Status{Code: http.StatusCreated, Body: d.locs(c).view(p)}, nil
}

func (d SchedulerDeps) getPost(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	p, err := d.Calendar.Post(c.Request.Context(), Principal(c), id)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	return d.locs(c).view(p), nil
}

func (d SchedulerDeps) patchPost(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	cur, err := d.Calendar.Post(c.Request.Context(), Principal(c), id)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	var r postRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	r.Unit = nil // a post stays in its unit
	dr := scheduler.Draft{UnitID: cur.UnitID, Caption: cur.Caption, Captions: cur.Captions, Link: cur.Link, Media: cur.Media, ContentType: cur.ContentType,
		Classification: cur.Classification, Channels: cur.ChannelIDs(), ScheduledAt: cur.ScheduledAt, Recurrence: cur.Recurrence,
		RecurrenceCount: cur.RecurrenceCount, Campaign: cur.Campaign, Tags: cur.Tags}
	if err := d.apply(c, r, &dr); err != nil {
		return nil, err
	}
	p, err := d.Calendar.UpdatePost(c.Request.Context(), Principal(c), id, dr)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	return d.locs(c).view(p), nil
}

// reviewRequest is the body of approve, reject and classify: the
// version reviewed (number, content hash or both; one is required), a
// reason, and for classify the classification.
type reviewRequest struct {
	Version        int                      `json:"version"`
	ContentHash    string                   `json:"content_hash"`
	Reason         string                   `json:"reason"`
	Classification scheduler.Classification `json:"classification"`
}

func (d SchedulerDeps) reviewed(fn func(c *gin.Context, id int64, r reviewRequest) (scheduler.Post, error)) func(c *gin.Context) (any, error) {
	return func(c *gin.Context) (any, error) {
		id, err := pathID(c)
		if err != nil {
			return nil, err
		}
		var r reviewRequest
		if _, err := bindOptionalJSON(c, &r); err != nil {
			return nil, err
		}
		p, err := fn(c, id, r)
		if err != nil {
			return nil, d.mapErr(c, err)
		}
		return d.locs(c).view(p), nil
	}
}

func (d SchedulerDeps) submitPost(c *gin.Context) (any, error) {
	return d.reviewed(func(c *gin.Context, id int64, _ reviewRequest) (scheduler.Post, error) {
		return d.Calendar.Submit(c.Request.Context(), Principal(c), id)
	})(c)
}

func (d SchedulerDeps) approvePost(c *gin.Context) (any, error) {
	return d.reviewed(func(c *gin.Context, id int64, r reviewRequest) (scheduler.Post, error) {
		return d.Calendar.Approve(c.Request.Context(), Principal(c), id, scheduler.Review{Version: r.Version, Hash: r.ContentHash, Reason: r.Reason})
	})(c)
}

func (d SchedulerDeps) rejectPost(c *gin.Context) (any, error) {
	return d.reviewed(func(c *gin.Context, id int64, r reviewRequest) (scheduler.Post, error) {
		return d.Calendar.Reject(c.Request.Context(), Principal(c), id, scheduler.Review{Version: r.Version, Hash: r.ContentHash, Reason: r.Reason})
	})(c)
}

func (d SchedulerDeps) classifyPost(c *gin.Context) (any, error) {
	return d.reviewed(func(c *gin.Context, id int64, r reviewRequest) (scheduler.Post, error) {
		return d.Calendar.Classify(c.Request.Context(), Principal(c), id, scheduler.ClassifyInput{Version: r.Version, Hash: r.ContentHash,
			Classification: r.Classification})
	})(c)
}

func (d SchedulerDeps) cancelPost(c *gin.Context) (any, error) {
	return d.reviewed(func(c *gin.Context, id int64, r reviewRequest) (scheduler.Post, error) {
		return d.Calendar.Cancel(c.Request.Context(), Principal(c), id, r.Reason)
	})(c)
}

func (d SchedulerDeps) postAudit(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	entries, err := d.Calendar.Audit(c.Request.Context(), Principal(c), id)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	if entries == nil {
		entries = []scheduler.AuditEntry{}
	}
	return gin.H{"audit": entries}, nil
}

func (d SchedulerDeps) listPosts(c *gin.Context) (any, error) {
	f := scheduler.Filter{State: c.Query("state")}
	var bad valid.Errors
	if f.State != "" && !contains(scheduler.States, f.State) {
		bad.Add("state", "unknown state %q", "status tidak dikenal %q", f.State)
	}
	if u := c.Query("unit"); u != "" {
		id, err := d.resolveUnit(c, u, "unit")
		if err != nil {
			return nil, err
		}
		f.UnitID = id
	}
	if ch := c.Query("channel"); ch != "" {
		id, err := strconv.ParseInt(ch, 10, 64)
		if err != nil {
			bad.Add("channel", "channel must be a channel id", "channel harus berupa id kanal")
		}
		f.ChannelID = id
	}
	loc := d.locs(c).of(Principal(c).UnitID)
	for _, q := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(q.name); v != "" {
			t, ok := parseTime(v, loc)
			if !ok {
				if day, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
					t, ok = day, true
				}
			}
			if !ok {
				bad.Add(q.name, "use RFC 3339 or YYYY-MM-DD", "gunakan RFC 3339 atau YYYY-MM-DD")
			}
			*q.dst = t
		}
	}
	if len(bad) > 0 {
		return nil, Unprocessable(bad)
	}
	posts, err := d.Calendar.Posts(c.Request.Context(), Principal(c), f)
	if err != nil {
		return nil, d.mapErr(c, err)
	}
	l := d.locs(c)
	out := make([]postView, 0, len(posts))
	for _, p := range posts {
		out = append(out, l.view(p))
	}
	return gin.H{"posts": out}, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var _ = org.Facebook
