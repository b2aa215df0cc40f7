package graphsim

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Comments. The simulated audience comments on every published post and
// media item: a post's comment count follows the audience model (the
// comments summary and comments_count), and comment i appears at the time
// the count first reaches i+1, so a listing grows as the post ages. About
// one in three audience comments is a question, and some answer an earlier
// comment (a reply). Comments are made lazily, when a post's comments are
// first read at a time, and are deterministic for a Seed and clock.
//
// Facebook: GET /{post}/comments (filter=toplevel|stream,
// order=chronological|reverse_chronological), GET /{comment},
// GET/POST /{comment}/comments (a reply: to a reply it goes to the
// thread's top comment, as on Facebook), POST /{comment}?is_hidden=true.
// Reading needs pages_read_engagement and pages_read_user_content; replying
// and hiding need pages_manage_engagement.
//
// Instagram: GET /{media}/comments (fields may expand replies{...}),
// GET /{comment}, GET/POST /{comment}/replies, POST /{comment}?hide=true;
// every call needs instagram_basic, instagram_manage_comments and
// pages_read_engagement.

type comment struct {
	id       string
	objectID string // the post or media item
	parent   string // "" for a top-level comment
	ig       bool
	fromID   string
	fromName string
	message  string
	created  time.Time
	hidden   bool
	byPage   bool
}

var (
	permsFBCommentsRead  = []string{"pages_read_engagement", "pages_read_user_content"}
	permsFBCommentsWrite = []string{"pages_manage_engagement", "pages_read_engagement"}
	permsIGComments      = []string{"instagram_basic", "instagram_manage_comments", "pages_read_engagement"}
)

var commenterNames = []string{
	"Siti Rahmawati", "Budi Santoso", "Dewi Lestari", "Agus Prasetyo", "Rina Wulandari", "Joko Susilo",
	"Nur Hidayah", "Andi Saputra", "Fitri Handayani", "Yusuf Maulana", "Maya Sari", "Eko Purnomo",
}

var commentQuestions = []string{
	"Kapan batas akhir pendaftaran pemilih pemula?",
	"Bagaimana cara cek nama saya di DPT?",
	"Di mana saya bisa melihat jadwal tahapan pemilihan?",
	"Apakah rekrutmen badan ad hoc sudah dibuka?",
	"Syarat pindah memilih apa saja ya?",
	"Mohon info anggaran sosialisasi tahun ini berapa?",
	"Kapan hasil rapat pleno diumumkan?",
}

var commentRemarks = []string{
	"Terima kasih infonya, sangat membantu.",
	"Mantap, semoga pemilu lancar.",
	"Sudah saya bagikan ke grup RT.",
	"Semangat untuk seluruh jajaran!",
	"Informasinya jelas sekali.",
	"Ayo gunakan hak pilih!",
	"Setuju, pemilih pemula perlu tahu ini.",
}

// commentTarget is what a comment listing hangs on: a post or media item.
type commentTarget struct {
	id, kind, owner string
	ig              bool
	created         time.Time
	followers       float64
}

func (s *Sim) targetOf(id string) (commentTarget, bool) {
	if p, ok := s.posts[id]; ok && !p.unpublished {
		return commentTarget{id: p.id, kind: p.kind, owner: p.pageID, created: p.created, followers: p.followers}, true
	}
	if m, ok := s.media[id]; ok && m.kind != igItem {
		return commentTarget{id: m.id, kind: m.kind, owner: m.igID, ig: true, created: m.created, followers: m.followers}, true
	}
	return commentTarget{}, false
}

// audienceComments is how many comments the audience gives the target in
// all (the count its figures approach with age).
func (s *Sim) audienceComments(t commentTarget) float64 {
	if t.kind == igStory {
		return 0
	}
	far := s.audience(t.id, t.kind, t.created, t.followers, t.created.Add(2000*time.Hour))
	return float64(far.comments)
}

// materialize creates the audience comments of a target that exist at now.
// Lock held.
func (s *Sim) materialize(t commentTarget, now time.Time) {
	total := s.audienceComments(t)
	for i := s.madeComments[t.id]; float64(i+1) <= total; i++ {
		// Comment i appears when total*(1-exp(-age/16h)) reaches i+1.
		frac := float64(i+1) / total
		var at time.Time
		if frac >= 1 {
			at = t.created.Add(2000 * time.Hour)
		} else {
			at = t.created.Add(time.Duration(-16 * math.Log(1-frac) * float64(time.Hour)))
		}
		at = at.Add(time.Duration(s.unit(t.id+"/c"+strconv.Itoa(i), 1)*600) * time.Second)
		if at.After(now) {
			return
		}
		key := t.id + "/c" + strconv.Itoa(i)
		who := int(s.unit(key, 2) * float64(len(commenterNames)))
		c := &comment{objectID: t.id, ig: t.ig, created: at,
			fromName: commenterNames[who], fromID: formatID(2_000_000_000_000_000 + uint64(who)*104729)}
		if t.ig {
			c.fromName = strings.ToLower(strings.ReplaceAll(c.fromName, " ", "_"))
		}
		if s.unit(key, 3) < 0.35 {
			c.message = commentQuestions[int(s.unit(key, 4)*float64(len(commentQuestions)))]
		} else {
			c.message = commentRemarks[int(s.unit(key, 4)*float64(len(commentRemarks)))]
		}
		if top := s.thread[t.id]; len(top) > 0 && s.unit(key, 5) < 0.15 {
			c.parent = top[int(s.unit(key, 6)*float64(len(top)))]
		}
		s.addComment(c, t.owner, key)
		s.madeComments[t.id] = i + 1
	}
}

// addComment registers a comment under its parent (or target). Lock held.
func (s *Sim) addComment(c *comment, owner, key string) {
	n := 1_500_000_000_000_000 + fnvHash(s.opt.AppID+key)%1_000_000_000_000_000
	c.id = formatID(n)
	if !c.ig {
		c.id = strings.SplitN(c.objectID, "_", 2)[len(strings.SplitN(c.objectID, "_", 2))-1] + "_" + formatID(n)
	}
	for s.objects[c.id] != (object{}) {
		c.id += "1"
	}
	s.comments[c.id] = c
	s.objects[c.id] = object{kind: kComment, owner: owner}
	if c.parent == "" {
		s.thread[c.objectID] = append(s.thread[c.objectID], c.id)
	} else {
		s.thread[c.parent] = append(s.thread[c.parent], c.id)
	}
}

// commentsOf lists a target's comments: top-level, or every comment
// (stream) in time order. Lock held.
func (s *Sim) commentsOf(objectID string, stream bool) []*comment {
	var out []*comment
	for _, id := range s.thread[objectID] {
		c := s.comments[id]
		out = append(out, c)
		if stream {
			for _, r := range s.thread[id] {
				out = append(out, s.comments[r])
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].created.Before(out[j].created) })
	return out
}

// listComments answers GET /{post}/comments and GET /{media}/comments.
func (s *Sim) listComments(q *rq, tok *token, id string) (any, *gErr) {
	t, ok := s.targetOf(id)
	if !ok {
		return nil, errNoObject(q.method, id+"/comments")
	}
	now := s.now()
	s.materialize(t, now)
	filter := q.params.Get("filter")
	if filter != "" && filter != "toplevel" && filter != "stream" {
		return nil, errInvalidParam("filter must be one of the following values: toplevel, stream")
	}
	if t.ig && filter != "" {
		return nil, errInvalidParam("Tried accessing nonexisting field (filter) on node type (IGMedia)")
	}
	list := s.commentsOf(id, filter == "stream")
	return s.renderCommentList(q, tok, list, t.ig)
}

// listReplies answers GET /{comment}/comments (Facebook) and
// GET /{comment}/replies (Instagram).
func (s *Sim) listReplies(q *rq, tok *token, id string) (any, *gErr) {
	c := s.comments[id]
	if t, ok := s.targetOf(c.objectID); ok {
		s.materialize(t, s.now())
	}
	var list []*comment
	for _, r := range s.thread[id] {
		list = append(list, s.comments[r])
	}
	return s.renderCommentList(q, tok, list, c.ig)
}

func (s *Sim) renderCommentList(q *rq, tok *token, list []*comment, ig bool) (any, *gErr) {
	defaults := "id,message,created_time"
	if ig {
		defaults = "id,text,timestamp"
	}
	fs, e := fieldsParam(q, defaults)
	if e != nil {
		return nil, e
	}
	switch q.params.Get("order") {
	case "", "chronological":
	case "reverse_chronological":
		rev := make([]*comment, len(list))
		for i, c := range list {
			rev[len(list)-1-i] = c
		}
		list = rev
	default:
		return nil, errInvalidParam("order must be one of the following values: chronological, reverse_chronological")
	}
	return s.pageList(q, len(list), func(i int) (map[string]any, *gErr) { return s.renderComment(list[i], fs, tok) })
}

// getComment answers GET /{comment}.
func (s *Sim) getComment(q *rq, tok *token, id string) (any, *gErr) {
	c := s.comments[id]
	defaults := "id,message,created_time"
	if c.ig {
		defaults = "id,text,timestamp"
	}
	fs, e := fieldsParam(q, defaults)
	if e != nil {
		return nil, e
	}
	return s.renderComment(c, fs, tok)
}

// renderComment renders the requested fields of a comment. Lock held.
func (s *Sim) renderComment(c *comment, fs []field, tok *token) (map[string]any, *gErr) {
	node := "Comment"
	if c.ig {
		node = "IGComment"
	}
	out := map[string]any{}
	for _, f := range fs {
		k := f.key()
		switch {
		case f.name == "id":
			out[k] = c.id
		case f.name == "message" && !c.ig, f.name == "text" && c.ig:
			out[k] = c.message
		case f.name == "created_time" && !c.ig, f.name == "timestamp" && c.ig:
			out[k] = gtime(c.created)
		case f.name == "from":
			if c.ig {
				out[k] = map[string]any{"id": c.fromID, "username": c.fromName}
			} else {
				out[k] = map[string]any{"id": c.fromID, "name": c.fromName}
			}
		case f.name == "username" && c.ig:
			out[k] = c.fromName
		case f.name == "parent" && !c.ig:
			if c.parent != "" {
				out[k] = map[string]any{"id": c.parent}
			}
		case f.name == "parent_id" && c.ig:
			if c.parent != "" {
				out[k] = c.parent
			}
		case f.name == "is_hidden" && !c.ig, f.name == "hidden" && c.ig:
			out[k] = c.hidden
		case f.name == "can_hide" && !c.ig:
			out[k] = !c.byPage
		case f.name == "comment_count" && !c.ig:
			out[k] = len(s.thread[c.id])
		case f.name == "like_count":
			out[k] = int(s.unit(c.id, 7) * 4)
		case f.name == "replies" && c.ig:
			sub := f.sub
			if len(sub) == 0 {
				sub = []field{{name: "id"}}
			}
			data := []map[string]any{}
			for _, r := range s.thread[c.id] {
				m, e := s.renderComment(s.comments[r], sub, tok)
				if e != nil {
					return nil, e
				}
				data = append(data, m)
			}
			out[k] = map[string]any{"data": data}
		default:
			return nil, errNoField(f.name, node)
		}
	}
	return out, nil
}

// replyComment answers POST /{comment}/comments (Facebook) and
// POST /{comment}/replies (Instagram): the Page (or account) answers.
func (s *Sim) replyComment(q *rq, _ *token, id string) (any, *gErr) {
	c := s.comments[id]
	msg := strings.TrimSpace(q.params.Get("message"))
	if msg == "" {
		return nil, errInvalidParam("The parameter message is required")
	}
	if c.ig && len([]rune(msg)) > 2200 {
		return nil, errInvalidParam("The comment is too long")
	}
	top := c
	if c.parent != "" {
		top = s.comments[c.parent]
	}
	owner := s.objects[id].owner
	r := &comment{objectID: c.objectID, parent: top.id, ig: c.ig, message: msg, created: s.now(), byPage: true}
	if c.ig {
		r.fromID, r.fromName = owner, s.igs[owner].username
	} else {
		r.fromID, r.fromName = owner, s.pages[owner].name
	}
	s.seq++
	s.addComment(r, owner, "reply/"+strconv.FormatUint(s.seq, 10))
	s.extraComments[c.objectID]++
	return map[string]any{"id": r.id}, nil
}

// hideComment answers POST /{comment}?is_hidden=true|false (Facebook) and
// ?hide=true|false (Instagram).
func (s *Sim) hideComment(q *rq, _ *token, id string) (any, *gErr) {
	c := s.comments[id]
	key := "is_hidden"
	if c.ig {
		key = "hide"
	}
	if !q.params.Has(key) {
		return nil, errInvalidParam("The parameter %s is required", key)
	}
	if c.byPage {
		return nil, &gErr{status: 400, code: 100, typ: "OAuthException", msg: "(#100) The comment was made by the Page and cannot be hidden"}
	}
	c.hidden = boolParam(q.params, key, false)
	return map[string]any{"success": true}, nil
}

// commentLabel names a call on a comment or on a target's comments edge.
func commentLabel(o object, ig bool, edge, method string) string {
	get := method == http.MethodGet
	switch {
	case o.kind == kPost && edge == "comments" && get:
		return "post_comments_list"
	case o.kind == kMedia && edge == "comments" && get:
		return "ig_media_comments_list"
	case o.kind != kComment:
		return ""
	case ig && edge == "" && get:
		return "ig_comment_object"
	case ig && edge == "replies" && get:
		return "ig_comment_replies_list"
	case ig && edge == "replies":
		return "ig_comment_reply"
	case ig && edge == "":
		return "ig_comment_hide"
	case edge == "" && get:
		return "comment_object"
	case edge == "comments" && get:
		return "comment_replies_list"
	case edge == "comments":
		return "comment_reply"
	case edge == "":
		return "comment_hide"
	}
	return ""
}

func commentPerms(label string) []string {
	switch label {
	case "post_comments_list", "comment_object", "comment_replies_list":
		return permsFBCommentsRead
	case "comment_reply", "comment_hide":
		return permsFBCommentsWrite
	case "ig_media_comments_list", "ig_comment_object", "ig_comment_replies_list", "ig_comment_reply", "ig_comment_hide":
		return permsIGComments
	}
	return nil
}

func (s *Sim) commentRoute(label string) handlerFunc {
	switch label {
	case "post_comments_list", "ig_media_comments_list":
		return s.listComments
	case "comment_object", "ig_comment_object":
		return s.getComment
	case "comment_replies_list", "ig_comment_replies_list":
		return s.listReplies
	case "comment_reply", "ig_comment_reply":
		return s.replyComment
	case "comment_hide", "ig_comment_hide":
		return s.hideComment
	}
	return nil
}

// CommentCount is how many comments (replies included) the simulator holds
// for a post or media item now, after making the audience's.
func (s *Sim) CommentCount(objectID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.targetOf(objectID)
	if !ok {
		return 0
	}
	s.materialize(t, s.now())
	return len(s.commentsOf(objectID, true))
}

// PageReplies lists the replies the Page or account made under a comment
// (for tests: a reply published once).
func (s *Sim) PageReplies(commentID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.thread[commentID] {
		if c := s.comments[id]; c.byPage {
			out = append(out, c.message)
		}
	}
	return out
}

// CommentHidden reports whether a comment is hidden.
func (s *Sim) CommentHidden(commentID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[commentID]
	return ok && c.hidden
}

// AddComment makes a member of the audience comment on a post or media
// item now (for tests and demos); it returns the comment id.
func (s *Sim) AddComment(objectID, fromName, message string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.targetOf(objectID)
	if !ok {
		return "", errNoObject(http.MethodPost, objectID)
	}
	s.materialize(t, s.now())
	s.seq++
	c := &comment{objectID: objectID, ig: t.ig, fromName: fromName, fromID: formatID(3_000_000_000_000_000 + fnvHash(fromName)%1_000_000_000),
		message: message, created: s.now()}
	s.addComment(c, t.owner, "added/"+strconv.FormatUint(s.seq, 10))
	s.extraComments[objectID]++
	return c.id, nil
}
