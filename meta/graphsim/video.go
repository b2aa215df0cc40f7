package graphsim

import (
	"sort"
	"strings"
	"time"
)

// videoProgress is a Page video's processing state at now.
func (s *Sim) videoProgress(v *video, now time.Time) (status string, progress int) {
	el := now.Sub(v.created)
	if el >= s.opt.FBVideoReadyDelay {
		return "ready", 100
	}
	return "processing", int(100 * max(el, 0) / s.opt.FBVideoReadyDelay)
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

// renderVideo renders the requested fields of a Page video. Lock held.
func (s *Sim) renderVideo(v *video, fs []field) (map[string]any, *gErr) {
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
			out[k] = v.postID
		case "permalink_url":
			out[k] = "/" + v.pageID + "/videos/" + v.id + "/"
		case "status":
			st, prog := s.videoProgress(v, now)
			phase := func(done bool) map[string]any {
				if done {
					return map[string]any{"status": "complete"}
				}
				return map[string]any{"status": "in_progress"}
			}
			out[k] = map[string]any{"video_status": st, "processing_progress": prog,
				"uploading_phase": map[string]any{"status": "complete", "bytes_transferred": 0}, "processing_phase": phase(st == "ready"),
				"publishing_phase": phase(st == "ready")}
		default:
			return nil, errNoField(f.name, "Video")
		}
	}
	return out, nil
}

func (s *Sim) getVideo(q *rq, _ *token, id string) (any, *gErr) {
	fs, e := fieldsParam(q, "id")
	if e != nil {
		return nil, e
	}
	return s.renderVideo(s.videos[id], fs)
}

// listVideos serves GET /{page}/videos: the Page's uploaded videos,
// processing ones included, newest first, with since/until and cursors.
// type=tagged lists videos the Page is tagged in (none in the simulator).
func (s *Sim) listVideos(q *rq, _ *token, id string) (any, *gErr) {
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
			if v.pageID == id && inRange(v.created, since, until) {
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
	return s.pageList(q, len(list), func(i int) (map[string]any, *gErr) { return s.renderVideo(list[i], fs) })
}
