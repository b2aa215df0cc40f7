package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// composeData is the compose/edit form: the values as typed and the
// errors beside their fields.
type composeData struct {
	PostID     int64
	Action     string
	Channels   []org.Channel
	Selected   map[int64]bool
	In         PostInput
	DateText   string
	TimeText   string
	MediaText  string
	Types      []string
	Classes    []string
	Recs       []string
	Limits     []scheduler.CaptionLimits
	Counts     captionCounts
	Zone       string
	Errs       map[string]string
	General    []string
	NoChannels bool
	Categories []string
	// NeedsPPID: a PPID officer confirms the classification (the form's
	// is a proposal).
	NeedsPPID bool
	// Conflict is the newer version a stale edit form met: the form keeps
	// what the user typed (unsaved) and shows the current content.
	Conflict *PostView
	// Rejected is the post being edited when an approver sent it back:
	// the form shows why at the top.
	Rejected *PostView
	// Chosen are the post's library media, in order; Library the unit's
	// recent media to pick from; HasLibrary: a library is wired.
	Chosen     []MediaCard
	Library    []MediaCard
	HasLibrary bool
	MaxUpload  string
	Chunk      int
	// CountsFB and CountsIG count the per-network captions.
	CountsFB, CountsIG captionCounts
	// Events are the agenda's events a post may be about (the unit's and
	// its parents', 30 days back to 90 ahead); EventID the chosen one;
	// Suggestions the upcoming ones (14 days) without a post yet.
	Events      []agenda.Event
	EventID     int64
	Suggestions []agenda.Event
}

// captionCounts are the counts the compose page shows, made by the
// scheduler's own counting (scheduler.CaptionStats), so the page without
// JavaScript agrees with what validation accepts.
type captionCounts struct {
	Chars, Hashtags, Mentions int
}

func countCaption(s string) captionCounts {
	var c captionCounts
	c.Chars, c.Hashtags, c.Mentions = scheduler.CaptionStats(s)
	return c
}

// Over reports whether the counts break a platform's limits.
func (c captionCounts) Over(lim scheduler.CaptionLimits) bool {
	return lim.Exceeded(c.Chars, c.Hashtags, c.Mentions)
}

// Warn reports whether the counts are allowed but advised against (more
// hashtags than Instagram's announced cap).
func (c captionCounts) Warn(lim scheduler.CaptionLimits) bool {
	return !c.Over(lim) && lim.Warned(c.Chars, c.Hashtags, c.Mentions)
}

// LimitRow describes one platform's caption limits.
func (l L) LimitRow(lim scheduler.CaptionLimits) string {
	parts := []string{l.T("pf."+lim.Platform) + ":"}
	add := func(n int, key string) {
		if n > 0 {
			parts = append(parts, l.T(key, l.Int(int64(n))))
		}
	}
	add(lim.Chars, "compose.limit.chars")
	add(lim.Hashtags, "compose.limit.tags")
	add(lim.HashtagsWarn, "compose.limit.tagwarn")
	add(lim.Mentions, "compose.limit.mentions")
	return strings.Join(parts, " ")
}

// fieldOrder maps the scheduler's field names to the form's fields.
var fieldAliases = map[string]string{
	"channels": "channels", "channel_ids": "channels", "targets": "channels",
	"content_type": "content_type", "classification": "classification",
	"classification_reason": "classification_reason", "caption": "caption", "link": "link",
	"media": "media", "media_urls": "media", "campaign": "campaign", "scheduled_at": "scheduled_at",
	"recurrence": "recurrence", "recurrence_count": "recurrence_count", "category": "category", "legal_basis": "legal_basis",
	"captions.facebook": "caption_facebook", "captions.instagram": "caption_instagram",
}

// newComposeData starts the form for a post of unit unitID (0: the
// user's own); the channels offered are those the scheduler lets p target.
func (h *Handler) newComposeData(c *gin.Context, p auth.Principal, unitID int64) (composeData, error) {
	l := h.l(c)
	chans, err := h.d.Posts.WritableChannels(c.Request.Context(), p, unitID)
	if err != nil {
		return composeData{}, err
	}
	d := composeData{Action: "/posts", Channels: chans, Selected: map[int64]bool{}, Types: contentTypes,
		Classes: classifications, Recs: recurrences, Zone: l.Zone(), Errs: map[string]string{}, NoChannels: len(chans) == 0,
		Categories: categories}
	if unitID == 0 {
		unitID = p.UnitID
	}
	if u, err := h.d.Org.Unit(c.Request.Context(), unitID); err == nil {
		d.NeedsPPID = u.NeedsPPID()
	}
	d.Limits = h.d.Posts.Limits()
	if h.d.Media != nil {
		d.HasLibrary, d.Chunk, d.MaxUpload = true, chunkBytes, l.Bytes(h.d.Media.MaxUploadBytes())
		if items, err := h.d.Media.List(c.Request.Context(), p, media.Filter{UnitID: unitID, Limit: 48}); err == nil {
			users := h.userNames(c.Request.Context())
			for _, it := range items {
				d.Library = append(d.Library, h.card(l, it, users))
			}
		}
	}
	d.In.Classification = "public"
	d.In.ContentType = "photo"
	if h.d.Agenda != nil {
		now := h.d.Now()
		if d.Events, err = h.d.Agenda.ForUnit(c.Request.Context(), unitID, now.AddDate(0, 0, -30), now.AddDate(0, 0, 90)); err != nil {
			return composeData{}, err
		}
		if d.Suggestions, err = h.d.Agenda.Suggest(c.Request.Context(), unitID, 14); err != nil {
			return composeData{}, err
		}
	}
	return d, nil
}

func (h *Handler) composePage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	d, err := h.newComposeData(c, s.Principal, 0)
	if err != nil {
		h.fail(c, err)
		return
	}
	// Default: tomorrow 09.00 in the unit's zone.
	t := h.d.Now().In(l.Loc).AddDate(0, 0, 1)
	d.DateText, d.TimeText = t.Format("2006-01-02"), "09:00"
	if date := c.Query("date"); date != "" {
		if _, err := time.Parse("2006-01-02", date); err == nil {
			d.DateText = date
		}
	}
	d.EventID = parseID(c.Query("event"))
	for _, ch := range d.Channels {
		if ch.Status == org.StatusActive {
			d.Selected[ch.ID] = len(d.Channels) == 1
		}
	}
	h.render(c, http.StatusOK, "compose", h.view(c, l.T("compose.title.new"), "compose", d))
}

func (h *Handler) editPage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	id := parseID(c.Param("id"))
	p, err := h.d.Posts.Get(c.Request.Context(), s.Principal, id)
	if err != nil {
		h.postError(c, err)
		return
	}
	if !p.CanEdit {
		h.postError(c, p.EditRefusal)
		return
	}
	d, err := h.newComposeData(c, s.Principal, p.UnitID)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.PostID, d.Action = p.ID, "/posts/"+strconv.FormatInt(p.ID, 10)
	if h.d.Agenda != nil {
		if m, err := h.d.Agenda.EventOfPosts(c.Request.Context(), []int64{p.ID}); err == nil {
			d.EventID = m[p.ID]
		}
	}
	if p.State == scheduler.StateRejected {
		d.Rejected = &p
	}
	loc := p.Location
	if loc == nil {
		loc = l.Loc
	}
	d.In = PostInput{ContentType: p.ContentType, Classification: p.Classification, ClassificationReason: p.ClassificationReason,
		Caption: p.Caption, Link: p.Link, Media: p.Media, Campaign: p.Campaign, ScheduledAt: p.ScheduledAt,
		Recurrence: p.Recurrence, RecurrenceCount: p.RecurrenceCount, Category: p.Category, LegalBasis: p.LegalBasis,
		Version: p.Version}
	d.In.Recurrence = recurrenceChoice(p.Recurrence, p.ScheduledAt.In(loc))
	if !slices.Contains(d.Recs, d.In.Recurrence) {
		d.Recs = append(slices.Clone(d.Recs), d.In.Recurrence)
	}
	for _, dl := range p.Deliveries {
		d.Selected[dl.ChannelID] = true
	}
	d.DateText, d.TimeText = p.ScheduledAt.In(loc).Format("2006-01-02"), p.ScheduledAt.In(loc).Format("15:04")
	d.MediaText = strings.Join(p.Media, "\n")
	d.In.MediaIDs, d.In.CaptionFB, d.In.CaptionIG = p.MediaIDs, p.CaptionFB, p.CaptionIG
	d.Chosen = h.cards(c, p.MediaIDs)
	d.Counts, d.CountsFB, d.CountsIG = countCaption(p.Caption), countCaption(p.CaptionFB), countCaption(p.CaptionIG)
	h.render(c, http.StatusOK, "compose", h.view(c, l.T("compose.title.edit", p.ID), "compose", d))
}

// parseCompose reads the form; errors it can tell without the scheduler
// (an unreadable date) go beside their fields.
func (h *Handler) parseCompose(c *gin.Context, d *composeData) {
	l := h.l(c)
	in := &d.In
	for _, v := range c.PostFormArray("channel") {
		if id := parseID(v); id > 0 {
			in.ChannelIDs = append(in.ChannelIDs, id)
			d.Selected[id] = true
		}
	}
	in.ContentType = c.PostForm("content_type")
	in.Classification = c.PostForm("classification")
	in.ClassificationReason = strings.TrimSpace(c.PostForm("classification_reason"))
	in.Category = c.PostForm("category")
	in.LegalBasis = strings.TrimSpace(c.PostForm("legal_basis"))
	if n := strings.TrimSpace(c.PostForm("recurrence_count")); n != "" {
		v, err := strconv.Atoi(n)
		if err != nil {
			d.Errs["recurrence_count"] = l.T("compose.count.bad")
		}
		in.RecurrenceCount = v
	}
	in.Caption = strings.ReplaceAll(c.PostForm("caption"), "\r\n", "\n")
	in.CaptionFB = strings.ReplaceAll(c.PostForm("caption_facebook"), "\r\n", "\n")
	in.CaptionIG = strings.ReplaceAll(c.PostForm("caption_instagram"), "\r\n", "\n")
	for _, v := range c.PostFormArray("media_id") {
		if id := parseID(v); id > 0 && !slices.Contains(in.MediaIDs, id) {
			in.MediaIDs = append(in.MediaIDs, id)
		}
	}
	in.Link = strings.TrimSpace(c.PostForm("link"))
	in.Campaign = strings.TrimSpace(c.PostForm("campaign"))
	in.Recurrence = c.PostForm("recurrence")
	in.Submit = c.PostForm("submit") == "1"
	in.Version, _ = strconv.ParseInt(c.PostForm("version"), 10, 64)
	d.MediaText = c.PostForm("media")
	var failed []string
	for _, line := range strings.Split(d.MediaText, "\n") {
		u := strings.TrimSpace(line)
		if u == "" {
			continue
		}
		if h.d.Media == nil {
			in.Media = append(in.Media, u) // no library: published by URL as given
			continue
		}
		// humas downloads the file and keeps it in the library.
		s, _ := session(c)
		it, err := h.d.Media.Import(c.Request.Context(), s.Principal, 0, u)
		if err != nil {
			_, msg := h.mediaErrText(c, err)
			d.Errs["media"] = strings.TrimSpace(d.Errs["media"] + " " + msg)
			failed = append(failed, u)
			continue
		}
		in.MediaIDs = append(in.MediaIDs, it.ID)
	}
	if h.d.Media != nil {
		// What was downloaded is now among the chosen media; what failed
		// stays in the box to fix.
		d.MediaText = strings.Join(failed, "\n")
		d.Chosen = h.cards(c, in.MediaIDs)
	}
	d.DateText, d.TimeText = strings.TrimSpace(c.PostForm("date")), strings.TrimSpace(c.PostForm("time"))
	tm := strings.ReplaceAll(d.TimeText, ".", ":")
	t, err := time.ParseInLocation("2006-01-02 15:04", d.DateText+" "+tm, l.Loc)
	if err != nil {
		d.Errs["scheduled_at"] = l.T("compose.when.bad")
	} else {
		in.ScheduledAt = t
	}
	if len(in.ChannelIDs) == 0 {
		d.Errs["channels"] = l.T("compose.channel.bad")
	}
	for _, id := range in.ChannelIDs {
		if !slices.ContainsFunc(d.Channels, func(ch org.Channel) bool { return ch.ID == id }) {
			d.Errs["channels"] = l.T("compose.channel.notyou", id)
		}
	}
	d.Counts, d.CountsFB, d.CountsIG = countCaption(in.Caption), countCaption(in.CaptionFB), countCaption(in.CaptionIG)
}

func (h *Handler) composeSave(c *gin.Context) { h.save(c, 0) }

func (h *Handler) editSave(c *gin.Context) {
	id := parseID(c.Param("id"))
	if id == 0 {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return
	}
	h.save(c, id)
}

func (h *Handler) save(c *gin.Context, id int64) {
	l := h.l(c)
	s, _ := session(c)
	var unitID int64
	if id > 0 {
		p, err := h.d.Posts.Get(c.Request.Context(), s.Principal, id)
		if err != nil {
			h.postError(c, err)
			return
		}
		if !p.CanEdit {
			h.postError(c, p.EditRefusal)
			return
		}
		unitID = p.UnitID
	}
	d, err := h.newComposeData(c, s.Principal, unitID)
	if err != nil {
		h.fail(c, err)
		return
	}
	title := l.T("compose.title.new")
	if id > 0 {
		d.PostID, d.Action = id, "/posts/"+strconv.FormatInt(id, 10)
		title = l.T("compose.title.edit", id)
	}
	h.parseCompose(c, &d)
	d.EventID = parseID(c.PostForm("event_id"))
	if len(d.Errs) == 0 {
		ctx := c.Request.Context()
		if id == 0 {
			id, err = h.d.Posts.Create(ctx, s.Principal, d.In)
		} else {
			err = h.d.Posts.Update(ctx, s.Principal, id, d.In)
		}
		if err == nil && h.d.Agenda != nil {
			err = h.linkEvent(c, s.Principal, id, parseID(c.PostForm("event_id")))
		}
		if err == nil {
			key := "compose.saved"
			if d.In.Submit {
				key = "compose.submitted"
			}
			c.Redirect(http.StatusSeeOther, "/posts/"+strconv.FormatInt(id, 10)+"?"+url.Values{"ok": {key}, "n": {strconv.FormatInt(id, 10)}}.Encode())
			return
		}
		var fe FieldErrors
		var ae *ActionError
		var ce *ConflictError
		switch {
		case errors.As(err, &ce):
			// A newer version was saved since this form was opened: nothing
			// is overwritten; the form keeps the user's text and now carries
			// the current version, shown beside it.
			opened := d.In.Version
			d.Conflict = &ce.Current
			d.In.Version = ce.Current.Version
			v := h.view(c, title, "compose", d)
			v.Error = l.T("compose.conflict.msg", id, ce.Current.Version, opened)
			h.render(c, http.StatusConflict, "compose", v)
			return
		case errors.As(err, &fe):
			for _, f := range fe {
				msg := f.MessageID
				if l.Lang == LangEN || msg == "" {
					msg = f.Message
				}
				if field, ok := fieldAliases[f.Field]; ok {
					if d.Errs[field] == "" {
						d.Errs[field] = msg
					} else {
						d.Errs[field] += " " + msg
					}
				} else {
					d.General = append(d.General, msg)
				}
			}
		case errors.As(err, &ae):
			msg := ae.MessageID
			if l.Lang == LangEN || msg == "" {
				msg = ae.Message
			}
			v := h.view(c, title, "compose", d)
			v.Error = msg
			h.render(c, ae.Status, "compose", v)
			return
		case errors.Is(err, ErrNotFound):
			h.errorPage(c, http.StatusNotFound, l.T("err.notfound"))
			return
		default:
			h.fail(c, err)
			return
		}
	}
	v := h.view(c, title, "compose", d)
	v.Error = l.T("form.errors")
	h.render(c, http.StatusUnprocessableEntity, "compose", v)
}

// postError answers a failed Get/Approve/Reject/Cancel.
func (h *Handler) postError(c *gin.Context, err error) {
	l := h.l(c)
	var ae *ActionError
	var fe FieldErrors
	switch {
	case errors.Is(err, ErrNotFound):
		h.errorPage(c, statusOf(err), l.T("err.notfound"))
	case errors.As(err, &ae):
		msg := ae.MessageID
		if l.Lang == LangEN || msg == "" {
			msg = ae.Message
		}
		h.errorPage(c, ae.Status, msg)
	case errors.As(err, &fe):
		h.errorPage(c, statusOf(err), fieldText(l, fe))
	default:
		h.fail(c, err)
	}
}

// linkEvent ties a saved post to the agenda event it is about (0: none).
func (h *Handler) linkEvent(c *gin.Context, p auth.Principal, postID, eventID int64) error {
	post, err := h.d.Posts.Get(c.Request.Context(), p, postID)
	if err != nil {
		return err
	}
	if err := h.d.Agenda.Link(c.Request.Context(), p, postID, post.UnitID, eventID); err != nil {
		h.log.WarnContext(c.Request.Context(), "post saved, event link refused", "post_id", postID, "event_id", eventID, "err", err)
	}
	return nil
}
