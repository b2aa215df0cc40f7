package graphsim

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

func (s *Sim) getIGUser(q *rq, _ *token, id string) (any, *gErr) {
	ig := s.igs[id]
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	now := s.now()
	out := map[string]any{}
	for _, f := range fs {
		switch f.name {
		case "id":
			out["id"] = ig.id
		case "username":
			out["username"] = ig.username
		case "name":
			out["name"] = s.pages[ig.pageID].name
		case "followers_count":
			out["followers_count"] = int64(followersAt(ig.followers0, ig.since, now))
		case "follows_count":
			out["follows_count"] = 120
		case "media_count":
			n := 0
			for _, m := range ig.media {
				if m.productType != "STORY" {
					n++
				}
			}
			out["media_count"] = n
		default:
			return nil, errNoField(f.name, "IGUser")
		}
	}
	return out, nil
}

func urlExt(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(path.Ext(u.Path))
}

// checkImageURL: Instagram accepts JPEG only.
func checkImageURL(u string) *gErr {
	if !validURL(u) {
		return errIG(9004, 2207052, "The media could not be fetched from this uri", "Media download has failed")
	}
	switch urlExt(u) {
	case ".jpg", ".jpeg", "":
		return nil
	}
	return errIG(36001, 2207005, "The image format is not supported. Only JPEG is supported.", "Unsupported format")
}

// checkImage judges an image_url: by the fetched bytes with FetchMedia,
// else by its extension.
func (s *Sim) checkImage(q *rq, u string) *gErr {
	if s.opt.FetchMedia && validURL(u) {
		return s.checkFetched(q, u, false)
	}
	return checkImageURL(u)
}

func (s *Sim) checkVideo(q *rq, u string) *gErr {
	if s.opt.FetchMedia && validURL(u) {
		return s.checkFetched(q, u, true)
	}
	return checkVideoURL(u)
}

func checkVideoURL(u string) *gErr {
	if !validURL(u) {
		return errIG(9004, 2207052, "The media could not be fetched from this uri", "Media download has failed")
	}
	switch urlExt(u) {
	case ".mp4", ".mov", "":
		return nil
	}
	return errIG(352, 2207026, "The video format is not supported. Please check spec for supported formats.", "Unsupported format")
}

// countTags counts #hashtags or @mentions the way Instagram does (roughly).
func countTags(s string, mark rune) int {
	n := 0
	rs := []rune(s)
	for i, r := range rs {
		if r != mark || i+1 >= len(rs) || !tagRune(rs[i+1]) || (i > 0 && tagRune(rs[i-1])) {
			continue
		}
		n++
	}
	return n
}

func tagRune(r rune) bool {
	return r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && r != 0x3000
}

func (s *Sim) checkCaption(c string) *gErr {
	if utf8.RuneCountInString(c) > 2200 {
		return errIG(36004, 2207010, "The caption is too long: at most 2200 characters are allowed.", "Caption too long")
	}
	if n := s.opt.IGHashtagCap; countTags(c, '#') > n {
		return errIG(100, 2207010, fmt.Sprintf("(#100) The caption contains more than %d hashtags.", n), "Too many hashtags")
	}
	if countTags(c, '@') > 20 {
		return errIG(100, 2207040, "(#100) The caption contains more than 20 @ tags.", "Too many tags")
	}
	return nil
}

func (s *Sim) createContainer(q *rq, _ *token, id string) (any, *gErr) {
	now := s.now()
	p := q.params
	c := &container{id: s.newID(), igID: id, created: now, caption: p.Get("caption"),
		imageURL: p.Get("image_url"), videoURL: p.Get("video_url")}
	mt := strings.ToUpper(p.Get("media_type"))
	item := boolParam(p, "is_carousel_item", false)
	video := false
	switch {
	case mt == "CAROUSEL":
		c.kind = igCarousel
		c.children = splitList(p.Get("children"))
		if len(c.children) < 2 || len(c.children) > 10 {
			return nil, errIG(100, 2207028, "(#100) A carousel needs between 2 and 10 items.", "Carousel item count")
		}
		ready := now.Add(s.opt.IGReadyDelay)
		for _, cid := range c.children {
			ch, ok := s.containers[cid]
			if !ok || ch.igID != id || ch.kind != igItem {
				return nil, errIG(100, 2207023, "(#100) Carousel children must be carousel item containers of this account.", "Invalid carousel item")
			}
			if st := s.status(ch, now); st == "EXPIRED" || st == "ERROR" || st == "PUBLISHED" {
				return nil, errIG(100, 2207023, "(#100) Carousel child "+cid+" is "+st+".", "Invalid carousel item")
			}
			if ch.readyAt.After(ready) {
				ready = ch.readyAt
			}
		}
		c.readyAt = ready
	case mt == "REELS":
		c.kind, video = igReel, true
		if c.videoURL == "" {
			return nil, errInvalidParam("The parameter video_url is required for REELS")
		}
		if item {
			return nil, errIG(100, 2207023, "(#100) Reels cannot be carousel items.", "Unsupported media type")
		}
	case mt == "STORIES":
		c.kind = igStory
		video = c.videoURL != ""
		if c.videoURL == "" && c.imageURL == "" {
			return nil, errInvalidParam("The parameter image_url or video_url is required")
		}
	case item:
		c.kind = igItem
		if mt == "VIDEO" {
			video = true
			if c.videoURL == "" {
				return nil, errInvalidParam("The parameter video_url is required")
			}
		} else if mt != "" && mt != "IMAGE" {
			return nil, errIG(100, 2207023, "(#100) The media type "+mt+" is not supported for carousel items.", "Unsupported media type")
		} else if c.imageURL == "" {
			return nil, errInvalidParam("The parameter image_url is required")
		}
		if c.caption != "" {
			return nil, errInvalidParam("Param caption is not allowed for carousel items")
		}
	case mt == "" || mt == "IMAGE":
		c.kind = igImage
		if c.imageURL == "" {
			if c.videoURL != "" {
				return nil, errIG(100, 2207023, "(#100) Video must be published with media_type=REELS.", "Unsupported media type")
			}
			return nil, errInvalidParam("The parameter image_url is required")
		}
	default:
		return nil, errIG(100, 2207023, "(#100) The media type "+mt+" is not supported.", "Unsupported media type")
	}
	if c.kind != igCarousel {
		if video {
			if e := s.checkVideo(q, c.videoURL); e != nil {
				return nil, e
			}
			c.readyAt = now.Add(s.opt.IGVideoReadyDelay)
		} else {
			if e := s.checkImage(q, c.imageURL); e != nil {
				return nil, e
			}
			c.readyAt = now.Add(s.opt.IGReadyDelay)
		}
	}
	if e := s.checkCaption(c.caption); e != nil {
		return nil, e
	}
	if s.opt.Quirks.StrictContainerFields {
		if c.caption != "" && c.kind == igStory {
			return nil, errInvalidParam("Param caption is not supported for stories")
		}
		if p.Get("alt_text") != "" && !(c.imageURL != "" && (c.kind == igImage || c.kind == igItem) && c.videoURL == "") {
			return nil, errInvalidParam("Param alt_text is only supported for image posts")
		}
	}
	if u := c.imageURL + c.videoURL; c.kind != igCarousel && s.opt.Quirks.MediaFetchFailRate > 0 {
		// Meta fails to fetch media now and then; never twice in a row.
		if s.fetchFailed == nil {
			s.fetchFailed = map[string]bool{}
		}
		if !s.fetchFailed[u] && s.rng.Float64() < s.opt.Quirks.MediaFetchFailRate {
			s.fetchFailed[u] = true
			s.faultCount["media_fetch"]++
			return nil, errIG(9004, 2207052, "The media could not be fetched from this uri: "+u, "Media download has failed")
		}
		delete(s.fetchFailed, u)
	}
	if f := s.takeFault("ig_media_create", FaultContainerError); f != nil {
		c.failed, c.failCode = true, 2207026
		if f.Subcode != 0 {
			c.failCode = f.Subcode
		}
	}
	if s.takeFault("ig_media_create", FaultContainerStuck) != nil {
		c.stuck = true
	}
	s.containers[c.id] = c
	s.objects[c.id] = object{kind: kContainer, owner: id}
	return map[string]any{"id": c.id}, nil
}

// status computes a container's status_code at now.
func (s *Sim) status(c *container, now time.Time) string {
	switch {
	case c.mediaID != "":
		return "PUBLISHED"
	case !now.Before(c.created.Add(s.opt.ContainerTTL)):
		return "EXPIRED"
	case c.stuck:
		return "IN_PROGRESS"
	case c.failed && !now.Before(c.readyAt):
		return "ERROR"
	case !now.Before(c.readyAt):
		return "FINISHED"
	}
	return "IN_PROGRESS"
}

func (s *Sim) getContainer(q *rq, _ *token, id string) (any, *gErr) {
	c := s.containers[id]
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	now := s.now()
	st := s.status(c, now)
	out := map[string]any{}
	for _, f := range fs {
		switch f.name {
		case "id":
			out["id"] = c.id
		case "status_code":
			out["status_code"] = st
		case "status":
			switch st {
			case "ERROR":
				out["status"] = "Error: Media upload has failed with error code " + formatID(uint64(c.failCode))
			case "EXPIRED":
				out["status"] = "Expired: The media container has expired"
			default:
				out["status"] = st[:1] + strings.ToLower(strings.ReplaceAll(st[1:], "_", " ")) + ": "
			}
		case "copyright_check_status":
			out["copyright_check_status"] = map[string]any{"status": "complete", "matches_found": false}
		default:
			return nil, errNoField(f.name, "ShadowIGMediaBuilder")
		}
	}
	return out, nil
}

// publishedLast24h counts an account's publishes in the rolling window.
func (s *Sim) publishedLast24h(ig *igAccount, now time.Time) int {
	n := 0
	for _, t := range ig.publishes {
		if now.Sub(t) < 24*time.Hour {
			n++
		}
	}
	return n
}

func (s *Sim) publishContainer(q *rq, _ *token, id string) (any, *gErr) {
	ig := s.igs[id]
	now := s.now()
	cid := q.params.Get("creation_id")
	c, ok := s.containers[cid]
	if cid == "" || !ok || c.igID != id {
		return nil, errIG(24, 2207006, "The media with id "+cid+" cannot be found.", "Media not found")
	}
	if c.kind == igItem {
		return nil, errIG(100, 2207023, "(#100) A carousel item cannot be published on its own.", "Unsupported media type")
	}
	if s.publishedLast24h(ig, now) >= s.opt.DailyPublishQuota {
		return nil, errIG(9, 2207042, "(#9) Application request limit reached", "You reached the maximum number of posts that is allowed to be published by Content Publishing API in 24 hours.")
	}
	switch s.status(c, now) {
	case "PUBLISHED":
		return nil, errIG(100, 2207023, "(#100) This media container has already been published.", "Already published")
	case "EXPIRED":
		return nil, errIG(-2, 2207020, "The media you are trying to access has expired. Please try to upload again.", "Media expired")
	case "ERROR":
		return nil, errIG(-1, 2207053, "An unknown error occurred during the upload. Please create a new container.", "Upload error")
	case "IN_PROGRESS":
		return nil, errIG(9007, 2207027, "The media is not ready for publishing, please wait for a moment", "Media not ready")
	}
	m := &media{id: s.newID(), igID: id, caption: c.caption, kind: c.kind, created: now,
		followers: followersAt(ig.followers0, ig.since, now), hideLikes: s.unit(c.id, 9) < 0.05}
	switch c.kind {
	case igImage:
		m.mediaType, m.productType = "IMAGE", "FEED"
	case igReel:
		m.mediaType, m.productType = "VIDEO", "REELS"
	case igStory:
		m.mediaType, m.productType = "IMAGE", "STORY"
		if c.videoURL != "" {
			m.mediaType = "VIDEO"
		}
	case igCarousel:
		m.mediaType, m.productType = "CAROUSEL_ALBUM", "FEED"
		for _, chID := range c.children {
			ch := s.containers[chID]
			cm := &media{id: s.newID(), igID: id, kind: igItem, mediaType: "IMAGE", productType: "FEED", created: now}
			if ch.videoURL != "" {
				cm.mediaType = "VIDEO"
			}
			s.media[cm.id] = cm
			s.objects[cm.id] = object{kind: kMedia, owner: id}
			m.children = append(m.children, cm.id)
		}
	}
	c.mediaID, c.published = m.id, now
	s.addMedia(ig, m)
	ig.publishes = append(ig.publishes, now)
	return map[string]any{"id": m.id}, nil
}

func (s *Sim) addMedia(ig *igAccount, m *media) {
	ig.media = append(ig.media, m)
	s.media[m.id] = m
	s.objects[m.id] = object{kind: kMedia, owner: ig.id}
}

func (s *Sim) publishingLimit(q *rq, _ *token, id string) (any, *gErr) {
	ig := s.igs[id]
	entry := map[string]any{"quota_usage": s.publishedLast24h(ig, s.now())}
	for _, f := range splitList(q.params.Get("fields")) {
		switch f {
		case "config", "rate_limit_settings":
			entry["config"] = map[string]any{"quota_total": s.opt.ReportedQuotaTotal, "quota_duration": 86400}
		case "quota_usage":
		default:
			return nil, errNoField(f, "ContentPublishingLimit")
		}
	}
	return map[string]any{"data": []any{entry}}, nil
}

// igList lists media of the account matching keep, newest first.
func (s *Sim) igList(q *rq, tok *token, id string, keep func(*media) bool) (any, *gErr) {
	since, until, e := timeRange(q)
	if e != nil {
		return nil, e
	}
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	now := s.now()
	for _, f := range fs {
		if f.name != "insights" {
			continue
		}
		ms, e := metricList(f.mods["metric"])
		if e != nil {
			return nil, e
		}
		if e := s.igMetricsValid(ms); e != nil {
			return nil, e
		}
	}
	var list []*media
	for _, m := range s.igs[id].media {
		if !m.created.After(now) && keep(m) && inRange(m.created, since, until) {
			list = append(list, m)
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].created.After(list[j].created) })
	return s.pageList(q, len(list), func(i int) (map[string]any, *gErr) { return s.renderMedia(list[i], fs, tok) })
}

func (s *Sim) listMedia(q *rq, tok *token, id string) (any, *gErr) {
	return s.igList(q, tok, id, func(m *media) bool { return m.productType != "STORY" })
}

func (s *Sim) listStories(q *rq, tok *token, id string) (any, *gErr) {
	now := s.now()
	return s.igList(q, tok, id, func(m *media) bool { return m.productType == "STORY" && now.Sub(m.created) < 24*time.Hour })
}

func (s *Sim) getMedia(q *rq, tok *token, id string) (any, *gErr) {
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	return s.renderMedia(s.media[id], fs, tok)
}
