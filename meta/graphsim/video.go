package graphsim

import (
	"sort"
	"strings"
	"time"
)

// videoProgress is a Page video's processing state at now: video_status
// (processing, ready, or the failure: error, expired) and progress. A
// reel processes from its finish, not its start.
func (s *Sim) videoProgress(v *video, now time.Time) (status string, progress int) {
	if v.reel && !v.finished {
		return "processing", 0
	}
	el := now.Sub(v.created)
	if el >= s.opt.FBVideoReadyDelay {
		if v.failed != "" {
			return v.failed, 100
		}
		return "ready", 100
	}
	return "processing", int(100 * max(el, 0) / s.opt.FBVideoReadyDelay)
}

func videoFailure(f *Fault) string {
	if f.Message == "expired" {
		return "expired"
	}
	return "error"
}

// processed reports whether a post's video (if any) has finished
// processing: until then Meta does not list the post on the Page. Lock held.
func (s *Sim) processed(p *post, now time.Time) bool {
	if p.kind != fbVideo || p.videoID == "" {
		return true
	}
	v, ok := s.videos[p.videoID]
	if !ok {
		return true
	}
	st, _ := s.videoProgress(v, now)
	return st == "ready"
}

// videoPhases renders status.{uploading,processing,publishing}_phase.
func (s *Sim) videoPhases(v *video, st string) (upload, process, publish map[string]any) {
	phase := func(status string) map[string]any { return map[string]any{"status": status} }
	upload = map[string]any{"status": "complete", "bytes_transferred": 0}
	switch {
	case v.reel && v.fileURL == "":
		upload["status"] = "not_started"
		return upload, phase("not_started"), phase("not_started")
	case v.reel && !v.finished:
		return upload, phase("not_started"), phase("not_started")
	case st == "ready":
		pub := phase("complete")
		if v.draft {
			pub = phase("not_started") // a draft is never published
		} else {
			pub["publish_status"] = "published"
			pub["publish_time"] = v.created.Add(s.opt.FBVideoReadyDelay).Unix()
		}
		return upload, phase("complete"), pub
	case st == "processing":
		return upload, phase("in_progress"), phase("not_started")
	}
	return upload, phase("error"), phase("not_started")
}

// renderVideo renders the requested fields of a Page video. Lock held.
func (s *Sim) renderVideo(v *video, fs []field, tok *token) (map[string]any, *gErr) {
	now := s.now()
	out := map[string]any{}
	for _, f := range fs {
		k := f.key()
		switch f.name {
		case "id":
			out[k] = v.id
		case "title":
			if v.title != "" {
				out[k] = v.title
			}
		case "description":
			if v.description != "" {
				out[k] = v.description
			}
		case "created_time", "updated_time":
			out[k] = gtime(v.created)
		case "post_id":
			if v.postID != "" && !s.opt.Quirks.OmitVideoPostID {
				out[k] = v.postID
			}
		case "permalink_url":
			out[k] = "/" + v.pageID + "/videos/" + v.id + "/"
			if v.reel {
				out[k] = "/reel/" + v.id + "/"
			}
		case "status":
			st, prog := s.videoProgress(v, now)
			up, proc, pub := s.videoPhases(v, st)
			out[k] = map[string]any{"video_status": st, "processing_progress": prog,
				"uploading_phase": up, "processing_phase": proc, "publishing_phase": pub}
		case "video_insights":
			if tok != nil && !tok.perms["read_insights"] {
				return nil, errMissingPerm("read_insights")
			}
			data, e := s.reelInsights(v, f.mods["metric"], now)
			if e != nil {
				return nil, e
			}
			out[k] = map[string]any{"data": data}
		default:
			return nil, errNoField(f.name, "Video")
		}
	}
	return out, nil
}

func (s *Sim) getVideo(q *rq, tok *token, id string) (any, *gErr) {
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	return s.renderVideo(s.videos[id], fs, tok)
}

// listVideos serves GET /{page}/videos: the Page's uploaded videos,
// processing ones included, newest first, with since/until and cursors.
// type=tagged lists videos the Page is tagged in (none in the simulator).
func (s *Sim) listVideos(q *rq, tok *token, id string) (any, *gErr) {
	typ := strings.ToLower(q.params.Get("type"))
	if typ != "" && typ != "uploaded" && typ != "tagged" {
		return nil, errInvalidParam("Param type must be one of {TAGGED, UPLOADED} - got \"%s\"", q.params.Get("type"))
	}
	since, until, e := timeRange(q)
	if e != nil {
		return nil, e
	}
	fs, e := fieldsParam(q, "id,description,updated_time")
	if e != nil {
		return nil, e
	}
	var list []*video
	if typ != "tagged" {
		for _, v := range s.videos {
			if v.pageID == id && !v.reel && inRange(v.created, since, until) {
				list = append(list, v)
			}
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].created.Equal(list[j].created) {
			return list[i].created.After(list[j].created)
		}
		return list[i].id > list[j].id
	})
	return s.pageList(q, len(list), func(i int) (map[string]any, *gErr) { return s.renderVideo(list[i], fs, tok) })
}

// postReel serves POST /{page}/video_reels: upload_phase=start opens an
// upload (answering video_id and the upload_url); upload_phase=finish with
// video_id and video_state=PUBLISHED publishes the uploaded video as a
// Reel, whose post reaches the Page once processed.
func (s *Sim) postReel(q *rq, _ *token, id string) (any, *gErr) {
	pg := s.pages[id]
	switch strings.ToLower(q.params.Get("upload_phase")) {
	case "start":
		v := &video{id: s.newID(), pageID: id, created: s.now(), reel: true}
		s.videos[v.id] = v
		s.objects[v.id] = object{kind: kVideo, owner: id}
		ver := q.version
		if ver == "" {
			ver = "v26.0"
		}
		return map[string]any{"video_id": v.id, "upload_url": q.base + "/video-upload/" + ver + "/" + v.id}, nil
	case "finish":
		vid := q.params.Get("video_id")
		v, ok := s.videos[vid]
		if !ok || v.pageID != id || !v.reel {
			return nil, errInvalidParam("Invalid video_id %s", vid)
		}
		if v.fileURL == "" {
			return nil, errInvalidParam("The video %s has not been uploaded yet", vid)
		}
		switch st := strings.ToUpper(q.params.Get("video_state")); st {
		case "PUBLISHED":
		case "DRAFT", "SCHEDULED":
			return nil, errInvalidParam("video_state %s is not simulated; use PUBLISHED", st)
		default:
			return nil, errInvalidParam("Param video_state must be one of {DRAFT, PUBLISHED, SCHEDULED}")
		}
		if v.finished {
			return map[string]any{"success": true}, nil // the same video cannot be published twice
		}
		now := s.now()
		v.finished, v.created, v.description = true, now, q.params.Get("description")
		if f := s.takeFault("page_reels_post", FaultVideoFailed); f != nil {
			v.failed = videoFailure(f)
		}
		p := s.newPost(pg, fbVideo, v.description, "", now)
		p.videoID, p.reel = v.id, true
		v.postID = p.id
		return map[string]any{"success": true}, nil
	}
	return nil, errInvalidParam("Param upload_phase must be one of {START, FINISH}")
}

// uploadReel serves POST {upload_url} (rupload.facebook.com/video-upload/
// vNN.0/{video-id}) with the file_url header: Meta fetches the file.
func (s *Sim) uploadReel(q *rq, tok *token) (any, *gErr) {
	if len(q.segs) != 3 {
		return nil, errInvalidParam("Invalid upload URL")
	}
	v, ok := s.videos[q.segs[2]]
	if !ok || !v.reel || !tok.reaches(v.pageID) {
		return nil, errNoObject(q.method, q.segs[2])
	}
	u := ""
	if q.header != nil {
		u = q.header.Get("file_url")
	}
	if u == "" {
		if q.recv == nil || q.recv.upload == nil {
			return nil, errInvalidParam("Send the video's bytes (offset and file_size headers) or a file_url header")
		}
		if q.recv.upload.Type != "video/mp4" {
			return nil, &gErr{status: 400, code: 352, typ: "OAuthException", msg: "(#352) Sorry, the video file you selected is in a format that we don't support."}
		}
		v.fileURL = uploadRef(s.recordUpload(q, "video_upload", v.id))
		return map[string]any{"success": true}, nil
	}
	if !validURL(u) {
		return nil, &gErr{status: 400, code: 352, typ: "OAuthException", msg: "(#352) Sorry, the video file you selected is in a format that we don't support."}
	}
	v.fileURL = u
	return map[string]any{"success": true}, nil
}

// listReels serves GET /{page}/video_reels: the Page's finished Reels,
// newest first, with video_insights available by field expansion.
func (s *Sim) listReels(q *rq, tok *token, id string) (any, *gErr) {
	since, until, e := timeRange(q)
	if e != nil {
		return nil, e
	}
	fs, e := fieldsParam(q, "id,description,updated_time")
	if e != nil {
		return nil, e
	}
	var list []*video
	for _, v := range s.videos {
		if v.pageID == id && v.reel && v.finished && inRange(v.created, since, until) {
			list = append(list, v)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].created.Equal(list[j].created) {
			return list[i].created.After(list[j].created)
		}
		return list[i].id > list[j].id
	})
	return s.pageList(q, len(list), func(i int) (map[string]any, *gErr) { return s.renderVideo(list[i], fs, tok) })
}

// reelMetrics are the video_insights metrics of a Reel.
var reelMetrics = map[string]bool{
	"blue_reels_play_count": true, "fb_reels_total_plays": true, "fb_reels_replay_count": true,
	"post_video_avg_time_watched": true, "post_video_view_time": true, "post_video_likes_by_reaction_type": true,
	"post_video_social_actions": true, "post_video_followers": true,
}

// reelInsights renders a video's video_insights. Lock held.
func (s *Sim) reelInsights(v *video, raw string, now time.Time) ([]any, *gErr) {
	ms, e := metricList(raw)
	if e != nil {
		return nil, e
	}
	for _, m := range ms {
		if !reelMetrics[m] || s.retired[m] {
			return nil, errInvalidMetric
		}
	}
	data := []any{}
	p := s.posts[v.postID]
	if p == nil || !v.reel || now.Sub(p.created) < s.opt.InsightsDelay {
		return data, nil
	}
	f := s.audience(p.id, p.kind, p.created, p.followers, now)
	for _, m := range ms {
		var val any
		switch m {
		case "blue_reels_play_count":
			val = f.views
		case "fb_reels_total_plays":
			val = f.views + f.views/5
		case "fb_reels_replay_count":
			val = f.views / 5
		case "post_video_avg_time_watched":
			val = 3000 + int64(s.unit(p.id, 7)*9000)
		case "post_video_view_time":
			val = f.views * 6000
		case "post_video_likes_by_reaction_type":
			r := map[string]int64{}
			for k, n := range f.reactions {
				if n > 0 {
					r[strings.ToUpper("reaction_"+k)] = n
				}
			}
			val = r
		case "post_video_social_actions":
			val = map[string]int64{"COMMENT": f.comments, "SHARE": f.shares}
		case "post_video_followers":
			val = f.reach / 400
		}
		e := insightEntry(v.id, m, val)
		e["id"] = v.id + "/video_insights/" + m + "/lifetime"
		data = append(data, e)
	}
	return data, nil
}

// videoInsights serves GET /{video-id}/video_insights?metric=...
func (s *Sim) videoInsights(q *rq, _ *token, id string) (any, *gErr) {
	data, e := s.reelInsights(s.videos[id], q.params.Get("metric"), s.now())
	if e != nil {
		return nil, e
	}
	return map[string]any{"data": data, "paging": map[string]any{}}, nil
}
