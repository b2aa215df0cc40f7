package graphsim

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

func boolParam(v url.Values, key string, def bool) bool {
	switch strings.ToLower(v.Get(key)) {
	case "":
		return def
	case "false", "0":
		return false
	}
	return true
}

// scheduling reads published/scheduled_publish_time: the post's visible time,
// whether it is scheduled, and whether it stays unpublished.
func (s *Sim) scheduling(q *rq) (at time.Time, scheduled, unpublished bool, e *gErr) {
	now := s.now()
	published := boolParam(q.params, "published", true)
	st := q.params.Get("scheduled_publish_time")
	if st == "" {
		return now, false, !published, nil
	}
	if published {
		return now, false, false, errInvalidParam("You cannot specify a scheduled publish time on a published post")
	}
	t, ok := parseTimeParam(st)
	if !ok || t.Before(now.Add(s.opt.ScheduleMin)) || t.After(now.Add(s.opt.ScheduleMax)) {
		return now, false, false, errInvalidParam("The specified scheduled publish time is invalid.")
	}
	return t, true, false, nil
}

var attachedRe = regexp.MustCompile(`^attached_media\[(\d+)\]$`)

// attachedMedia reads attached_media[n]={"media_fbid":..} or a JSON array.
func attachedMedia(v url.Values) ([]string, *gErr) {
	type ref struct {
		MediaFBID string `json:"media_fbid"`
	}
	type idx struct {
		n  int
		id string
	}
	var list []idx
	for k, vs := range v {
		m := attachedRe.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		var r ref
		if json.Unmarshal([]byte(vs[0]), &r) != nil || r.MediaFBID == "" {
			return nil, errInvalidParam("Param attached_media[%s] must be a JSON object with media_fbid", m[1])
		}
		n := 0
		for _, c := range m[1] {
			n = n*10 + int(c-'0')
		}
		list = append(list, idx{n, r.MediaFBID})
	}
	if raw := v.Get("attached_media"); raw != "" {
		var rs []ref
		if json.Unmarshal([]byte(raw), &rs) != nil {
			return nil, errInvalidParam("Param attached_media must be a JSON array")
		}
		for i, r := range rs {
			list = append(list, idx{i, r.MediaFBID})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n < list[j].n })
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.id
	}
	return out, nil
}

func (s *Sim) newPost(pg *page, kind, message, link string, at time.Time) *post {
	p := &post{id: pg.id + "_" + s.newID(), pageID: pg.id, kind: kind, message: message, link: link, created: at,
		followers: followersAt(pg.followers0, pg.since, at)}
	pg.posts = append(pg.posts, p)
	s.posts[p.id] = p
	s.objects[p.id] = object{kind: kPost, owner: pg.id}
	return p
}

func (s *Sim) postFeed(q *rq, _ *token, id string) (any, *gErr) {
	pg := s.pages[id]
	now := s.now()
	msg, link := q.params.Get("message"), q.params.Get("link")
	ids, e := attachedMedia(q.params)
	if e != nil {
		return nil, e
	}
	if msg == "" && link == "" && len(ids) == 0 {
		return nil, errInvalidParam("Missing message or attachment")
	}
	if link != "" && !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
		return nil, &gErr{status: 400, code: 1609005, typ: "OAuthException", msg: "(#1609005) Error Posting Link: the URL is not valid"}
	}
	at, scheduled, unpublished, e := s.scheduling(q)
	if e != nil {
		return nil, e
	}
	for _, pid := range ids {
		ph, ok := s.photos[pid]
		if !ok || ph.pageID != id || ph.published || now.Sub(ph.created) > 24*time.Hour {
			return nil, errInvalidParam("Invalid media_fbid %s: an unpublished photo of this Page is required", pid)
		}
	}
	if len(ids) >= 5 && len(msg) >= 1000 {
		return nil, &gErr{status: 500, code: 1, typ: "OAuthException", transient: true,
			msg: "Please reduce the amount of data you're asking for, then retry your request"}
	}
	if msg != "" {
		for _, p := range pg.posts {
			if p.message == msg && now.Sub(p.created) < s.opt.DuplicateWindow {
				return nil, &gErr{status: 400, code: 506, typ: "OAuthException", msg: "(#506) Duplicate status message",
					userTitle: "Duplicate Post", userMsg: "This status update is identical to the last one you posted."}
			}
		}
	}
	kind := fbText
	switch {
	case len(ids) > 1:
		kind = fbAlbum
	case len(ids) == 1:
		kind = fbPhoto
	case link != "":
		kind = fbLink
	}
	p := s.newPost(pg, kind, msg, link, at)
	p.scheduled, p.photoIDs = scheduled, ids
	p.unpublished = unpublished
	for _, pid := range ids {
		s.photos[pid].published, s.photos[pid].postID = true, p.id
	}
	return s.readAfterWrite(q, p)
}

// readAfterWrite answers a create: {"id"} or, with fields=, those fields.
func (s *Sim) readAfterWrite(q *rq, p *post) (any, *gErr) {
	if q.params.Get("fields") == "" {
		return map[string]any{"id": p.id}, nil
	}
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	return s.renderPost(p, fs, nil)
}

func validURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func (s *Sim) postPhoto(q *rq, _ *token, id string) (any, *gErr) {
	pg := s.pages[id]
	u := q.params.Get("url")
	var up *Upload
	if q.recv != nil && q.recv.upload != nil && q.recv.upload.Field == "source" {
		switch q.recv.upload.Type {
		case "image/jpeg", "image/png", "image/gif", "image/webp":
		default:
			return nil, &gErr{status: 400, code: 324, typ: "OAuthException", msg: "(#324) Missing or invalid image file"}
		}
		if q.recv.upload.Size >= 10_000_000 {
			return nil, &gErr{status: 400, code: 324, typ: "OAuthException", msg: "(#324) Photos must be under 10 MB"}
		}
		label := "page_photos_post"
		if !boolParam(q.params, "published", true) && !q.params.Has("scheduled_publish_time") {
			label = "page_photos_upload"
		}
		up = s.recordUpload(q, label, id)
		u = uploadRef(up)
	} else {
		if u == "" {
			return nil, &gErr{status: 400, code: 324, typ: "OAuthException", msg: "(#324) Requires upload file"}
		}
		if !validURL(u) {
			return nil, errInvalidParam("url should represent a valid URL")
		}
	}
	at, scheduled, unpublished, e := s.scheduling(q)
	if e != nil {
		return nil, e
	}
	ph := &photo{id: s.newID(), pageID: id, url: u, created: s.now()}
	s.photos[ph.id] = ph
	s.objects[ph.id] = object{kind: kPhoto, owner: id}
	if unpublished {
		return map[string]any{"id": ph.id}, nil
	}
	msg := q.params.Get("message")
	if msg == "" {
		msg = q.params.Get("caption")
	}
	p := s.newPost(pg, fbPhoto, msg, "", at)
	p.scheduled, p.photoIDs = scheduled, []string{ph.id}
	ph.published, ph.postID = true, p.id
	return map[string]any{"id": ph.id, "post_id": p.id}, nil
}

func (s *Sim) postVideo(q *rq, _ *token, id string) (any, *gErr) {
	pg := s.pages[id]
	u := q.params.Get("file_url")
	var up *Upload
	if q.recv != nil && q.recv.upload != nil && q.recv.upload.Field == "source" {
		if q.recv.upload.Type != "video/mp4" {
			return nil, &gErr{status: 400, code: 352, typ: "OAuthException", msg: "(#352) Sorry, the video file you selected is in a format that we don't support."}
		}
		up = s.recordUpload(q, "page_videos_post", id)
		u = uploadRef(up)
	} else {
		if u == "" {
			return nil, errInvalidParam("The parameter file_url or source is required")
		}
		if !validURL(u) {
			return nil, &gErr{status: 400, code: 352, typ: "OAuthException", msg: "(#352) Sorry, the video file you selected is in a format that we don't support."}
		}
	}
	at, scheduled, _, e := s.scheduling(q)
	if e != nil {
		return nil, e
	}
	v := &video{id: s.newID(), pageID: id, created: s.now(), title: q.params.Get("title"), description: q.params.Get("description"),
		fileURL: u}
	if f := s.takeFault("page_videos_post", FaultVideoFailed); f != nil {
		v.failed = videoFailure(f)
	}
	s.videos[v.id] = v
	s.objects[v.id] = object{kind: kVideo, owner: id}
	vertical := s.shortVertical(u)
	if up != nil {
		vertical = up.Height > up.Width && up.Duration > 0 && up.Duration <= 90*time.Second
	}
	if s.opt.Quirks.VerticalVideoAsReelDraft && vertical {
		// Meta keeps a short vertical video as an unpublished Reel draft:
		// the upload succeeds, the video gets ready, no post appears.
		v.draft = true
		return map[string]any{"id": v.id}, nil
	}
	msg := v.description
	if msg == "" {
		msg = v.title
	}
	p := s.newPost(pg, fbVideo, msg, "", at)
	p.scheduled, p.videoID = scheduled, v.id
	v.postID = p.id
	return map[string]any{"id": v.id}, nil
}

func (s *Sim) getPage(q *rq, tok *token, id string) (any, *gErr) {
	pg := s.pages[id]
	fs, e := fieldsParam(q, "id,name")
	if e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, f := range fs {
		switch f.name {
		case "id":
			out["id"] = pg.id
		case "name":
			out["name"] = pg.name
		case "followers_count":
			out["followers_count"] = int64(followersAt(pg.followers0, pg.since, s.now()))
		case "fan_count":
			out["fan_count"] = int64(followersAt(pg.followers0, pg.since, s.now()) * 0.97)
		case "instagram_business_account":
			if pg.igID != "" {
				out["instagram_business_account"] = map[string]any{"id": pg.igID}
			}
		case "category":
			out["category"] = "Government Organization"
		case "link":
			out["link"] = "https://www.facebook.com/" + pg.id
		case "access_token":
			// The Page token, derived from a system user's (or the token itself).
			out["access_token"] = s.derivedPageToken(tok, pg.id)
		default:
			return nil, errNoField(f.name, "Page")
		}
	}
	return out, nil
}

// visiblePosts are the page's published posts in [since, until], newest first.
func (s *Sim) visiblePosts(pg *page, since, until, now time.Time) []*post {
	var out []*post
	for i := len(pg.posts) - 1; i >= 0; i-- {
		p := pg.posts[i]
		if p.visible(now) && s.processed(p, now) && inRange(p.created, since, until) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].created.After(out[j].created) })
	return out
}

func (p *post) visible(now time.Time) bool { return !p.unpublished && !p.created.After(now) }

func (s *Sim) listPosts(q *rq, tok *token, id string) (any, *gErr) {
	since, until, e := timeRange(q)
	if e != nil {
		return nil, e
	}
	fs, e := fieldsParam(q, "id,message,created_time")
	if e != nil {
		return nil, e
	}
	if e := s.checkInsightsFields(fs, s.fbMetricValid); e != nil {
		return nil, e
	}
	pg := s.pages[id]
	posts := s.visiblePosts(pg, since, until, s.now())
	if pg.oversize > 0 && hasField(fs, "insights") {
		if off, end, e := s.pageSpan(q, len(posts)); e == nil && end-off > pg.oversize {
			return nil, errReduceData()
		}
	}
	return s.pageList(q, len(posts), func(i int) (map[string]any, *gErr) { return s.renderPost(posts[i], fs, tok) })
}

func (s *Sim) getPost(q *rq, tok *token, id string) (any, *gErr) {
	fs, e := fieldsParam(q, "id,message,created_time")
	if e != nil {
		return nil, e
	}
	return s.renderPost(s.posts[id], fs, tok)
}

func (s *Sim) getPhoto(q *rq, _ *token, id string) (any, *gErr) {
	ph := s.photos[id]
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, f := range fs {
		switch f.name {
		case "id":
			out["id"] = ph.id
		case "created_time":
			out["created_time"] = gtime(ph.created)
		case "images", "link":
			out[f.name] = ph.url
		default:
			return nil, errNoField(f.name, "Photo")
		}
	}
	return out, nil
}
