package graphsim

import (
	"strconv"
	"strings"
)

var statusTypes = map[string]string{
	fbText: "mobile_status_update", fbLink: "shared_story", fbPhoto: "added_photos", fbAlbum: "added_photos", fbVideo: "added_video",
}

var reactionTypes = map[string]string{"LIKE": "like", "LOVE": "love", "WOW": "wow", "HAHA": "haha", "SAD": "sorry", "ANGRY": "anger"}

// renderPost renders the requested fields of a post. Lock held.
func (s *Sim) renderPost(p *post, fs []field, tok *token) (map[string]any, *gErr) {
	now := s.now()
	var fig *figures
	figs := func() figures {
		if fig == nil {
			f := s.audience(p.id, p.kind, p.created, p.followers, now)
			fig = &f
		}
		return *fig
	}
	out := map[string]any{}
	for _, f := range fs {
		k := f.key()
		if f.name == "reactions" || f.name == "comments" {
			// Summaries of who reacted and commented are user content.
			if _, sum := f.mods["summary"]; sum && s.opt.Quirks.SummariesNeedUserContent && tok != nil && !tok.perms["pages_read_user_content"] {
				return nil, errMissingPerm("pages_read_user_content")
			}
		}
		switch f.name {
		case "id":
			out[k] = p.id
		case "message":
			if p.message != "" {
				out[k] = p.message
			}
		case "created_time", "updated_time":
			out[k] = gtime(p.created)
		case "permalink_url":
			out[k] = "https://www.facebook.com/" + p.pageID + "/posts/" + strings.SplitN(p.id, "_", 2)[1]
			if p.reel {
				out[k] = "https://www.facebook.com/reel/" + p.videoID + "/"
			}
		case "full_picture":
			if len(p.photoIDs) > 0 {
				out[k] = s.photos[p.photoIDs[0]].url
			}
		case "status_type":
			out[k] = statusTypes[p.kind]
		case "is_published":
			out[k] = p.visible(now)
		case "scheduled_publish_time":
			if p.scheduled {
				out[k] = p.created.Unix()
			}
		case "from":
			out[k] = map[string]any{"id": p.pageID, "name": s.pages[p.pageID].name}
		case "shares":
			if n := figs().shares; n > 0 {
				out[k] = map[string]any{"count": n}
			}
		case "reactions":
			total := figs().reactionTotal()
			if t, ok := f.mods["type"]; ok {
				r, known := reactionTypes[strings.ToUpper(t)]
				if !known {
					return nil, errInvalidParam("Invalid reaction type %s", t)
				}
				total = figs().reactions[r]
			}
			out[k] = summaryEdge(f, map[string]any{"total_count": total, "viewer_reaction": "NONE"})
		case "comments":
			out[k] = summaryEdge(f, map[string]any{"order": "ranked", "total_count": figs().comments + int64(s.extraComments[p.id]), "can_comment": true})
		case "attachments":
			if a := s.attachment(p); a != nil {
				out[k] = map[string]any{"data": []any{a}}
			}
		case "insights":
			if tok != nil && !tok.perms["read_insights"] {
				return nil, errMissingPerm("read_insights")
			}
			data, e := s.fbInsights(p, f.mods["metric"], now)
			if e != nil {
				return nil, e
			}
			out[k] = map[string]any{"data": data}
		default:
			return nil, errNoField(f.name, "Post")
		}
	}
	return out, nil
}

func summaryEdge(f field, summary map[string]any) map[string]any {
	m := map[string]any{"data": []any{}}
	if v, ok := f.mods["summary"]; ok && v != "false" && v != "0" {
		m["summary"] = summary
	}
	return m
}

func (s *Sim) attachment(p *post) map[string]any {
	switch p.kind {
	case fbPhoto:
		return map[string]any{"media_type": "photo", "type": "photo", "url": s.photos[p.photoIDs[0]].url}
	case fbAlbum:
		subs := []any{}
		for _, id := range p.photoIDs {
			subs = append(subs, map[string]any{"media_type": "photo", "type": "photo", "url": s.photos[id].url})
		}
		return map[string]any{"media_type": "album", "type": "album", "subattachments": map[string]any{"data": subs}}
	case fbVideo:
		a := map[string]any{"media_type": "video", "type": "video_inline", "url": "https://www.facebook.com/" + p.pageID + "/videos/" + p.videoID,
			"target": map[string]any{"id": p.videoID, "url": "https://www.facebook.com/" + p.pageID + "/videos/" + p.videoID}}
		if p.reel {
			a["url"] = "https://www.facebook.com/reel/" + p.videoID + "/"
			a["target"] = map[string]any{"id": p.videoID, "url": a["url"]}
		}
		return a
	case fbLink:
		return map[string]any{"media_type": "link", "type": "share", "url": p.link}
	}
	return nil
}

// renderMedia renders the requested fields of an IG media. Lock held.
func (s *Sim) renderMedia(m *media, fs []field, tok *token) (map[string]any, *gErr) {
	now := s.now()
	fig := s.audience(m.id, m.kind, m.created, m.followers, now)
	out := map[string]any{}
	for _, f := range fs {
		k := f.key()
		switch f.name {
		case "id":
			out[k] = m.id
		case "caption":
			if m.caption != "" {
				out[k] = m.caption
			}
		case "media_type":
			out[k] = m.mediaType
		case "media_product_type":
			out[k] = m.productType
		case "timestamp":
			out[k] = gtime(m.created)
		case "permalink":
			out[k] = "https://www.instagram.com/p/" + shortcode(m.id) + "/"
		case "shortcode":
			out[k] = shortcode(m.id)
		case "username":
			out[k] = s.igs[m.igID].username
		case "like_count":
			if !m.hideLikes && m.productType != "STORY" {
				out[k] = fig.likes
			}
		case "comments_count":
			if m.productType != "STORY" {
				out[k] = fig.comments + int64(s.extraComments[m.id])
			}
		case "media_url":
			out[k] = "https://scontent.cdninstagram.com/sim/" + m.id + mediaExt(m.mediaType)
		case "thumbnail_url":
			if m.mediaType == "VIDEO" {
				out[k] = "https://scontent.cdninstagram.com/sim/" + m.id + "_thumb.jpg"
			}
		case "is_comment_enabled":
			out[k] = true
		case "children":
			if m.kind != igCarousel {
				continue
			}
			sub := f.sub
			if len(sub) == 0 {
				sub = []field{{name: "id", mods: map[string]string{}}}
			}
			data := []any{}
			for _, cid := range m.children {
				c, e := s.renderMedia(s.media[cid], sub, tok)
				if e != nil {
					return nil, e
				}
				data = append(data, c)
			}
			out[k] = map[string]any{"data": data}
		case "insights":
			if tok != nil && !tok.perms["instagram_manage_insights"] {
				return nil, errMissingPerm("instagram_manage_insights")
			}
			data, e := s.igInsights(m, f.mods["metric"], now)
			if e != nil {
				return nil, e
			}
			out[k] = map[string]any{"data": data}
		default:
			return nil, errNoField(f.name, "IGMedia")
		}
	}
	return out, nil
}

func mediaExt(mt string) string {
	if mt == "VIDEO" {
		return ".mp4"
	}
	return ".jpg"
}

func shortcode(id string) string {
	n, _ := strconv.ParseUint(id, 10, 64)
	return "S" + strings.ToUpper(strconv.FormatUint(n, 36))
}
