package graphsim

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Sim is the simulator. It is safe for concurrent use; all state is behind one mutex.
type Sim struct {
	opt Options

	mu           sync.Mutex
	rng          *rand.Rand
	seq          uint64
	objects      map[string]object
	tokens       map[string]*token
	pages        map[string]*page
	igs          map[string]*igAccount
	posts        map[string]*post
	photos       map[string]*photo
	videos       map[string]*video
	containers   map[string]*container
	media        map[string]*media
	comments     map[string]*comment
	thread       map[string][]string // post, media or comment id → its (top-level) comments or replies
	madeComments map[string]int      // audience comments made so far per target
	// extraComments counts the comments beyond the audience model's
	// (AddComment, the Page's replies) per target: its comment count
	// includes them.
	extraComments map[string]int
	usage         map[string]*usageState
	retired       map[string]bool
	files         map[string]mediaFile
	fetchFailed   map[string]bool // URLs whose last fetch failed (Quirks.MediaFetchFailRate)
	uploads       []Upload
	fetches       []Fetch
	faults        []Fault
	calls         map[string]int
	faultCount    map[string]int
	httpRequests  int
	login         loginState // Facebook Login: people, codes, redirect URIs (login.go)
}

// New returns a simulator with no accounts; add them with AddPage and AddIGAccount.
func New(opt Options) *Sim {
	opt = opt.withDefaults()
	return &Sim{
		opt:           opt,
		rng:           rand.New(rand.NewPCG(uint64(opt.Seed), 0x5eed)),
		objects:       map[string]object{},
		tokens:        map[string]*token{},
		pages:         map[string]*page{},
		igs:           map[string]*igAccount{},
		posts:         map[string]*post{},
		photos:        map[string]*photo{},
		videos:        map[string]*video{},
		containers:    map[string]*container{},
		media:         map[string]*media{},
		comments:      map[string]*comment{},
		thread:        map[string][]string{},
		madeComments:  map[string]int{},
		extraComments: map[string]int{},
		usage:         map[string]*usageState{},
		retired:       map[string]bool{},
		calls:         map[string]int{},
		faultCount:    map[string]int{},
		login:         newLoginState(),
	}
}

func (s *Sim) now() time.Time { return s.opt.Clock() }

// newID returns a fresh numeric id (deterministic).
func (s *Sim) newID() string {
	s.seq++
	return formatID(1_000_000_000_000_000 + s.seq*7919 + uint64(s.rng.IntN(7919)))
}

func formatID(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// rq is one Graph request (an HTTP request or a batch entry).
type rq struct {
	header  http.Header // HTTP request headers (nil in a batch entry)
	method  string
	segs    []string
	params  url.Values
	token   string
	base    string // scheme://host[/prefix] for paging URLs
	version string
	inBatch bool
	// recv is an uploaded file or fetched media (readUpload).
	recv *received
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

var versionRe = regexp.MustCompile(`^v\d+\.\d+$`)

// parsePath splits "/v24.0/123/feed" into version and segments.
func parsePath(p string) (string, []string) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	segs := strings.Split(p, "/")
	if versionRe.MatchString(segs[0]) {
		return segs[0], segs[1:]
	}
	return "", segs
}

// ServeHTTP answers one Graph API request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var err error
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/form-data") {
		err = r.ParseMultipartForm(32 << 20) // larger files wait on disk
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		writeResp(w, &resp{status: 400, body: s.lockedErrBody(errInvalidParam("Could not parse the request body"))})
		return
	}
	q := &rq{method: r.Method, params: r.Form, header: r.Header}
	q.version, q.segs = parsePath(r.URL.Path)
	if len(q.segs) == 2 && q.segs[0] == "dialog" && q.segs[1] == "oauth" {
		s.serveDialog(w, r) // an HTML page for the browser (login.go)
		return
	}
	q.token = r.Form.Get("access_token")
	if q.token == "" {
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") || strings.HasPrefix(a, "OAuth ") {
			q.token = strings.TrimSpace(a[strings.IndexByte(a, ' ')+1:])
		}
	}
	q.base = s.opt.PublicURL
	if q.base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		q.base = scheme + "://" + r.Host
	}
	q.base = strings.TrimRight(q.base, "/")
	recv, ge := s.readUpload(r, q)
	if ge != nil {
		writeResp(w, &resp{status: 400, body: s.lockedErrBody(ge)})
		return
	}
	q.recv = recv

	s.mu.Lock()
	s.httpRequests++
	label := s.label(q)
	f := s.pickFault(label)
	if f != nil {
		s.faultCount[f.Kind.String()]++
	}
	var out *resp
	switch {
	case f == nil:
		out = s.serve(q)
	case f.Kind == FaultTimeout:
		s.calls[label]++
		s.mu.Unlock()
		s.hang(r.Context())
		hijackClose(w)
		return
	case f.Kind == FaultLostAnswer:
		_ = s.serve(q)
		s.mu.Unlock()
		hijackClose(w)
		return
	case f.Kind == FaultPerformedThenError:
		// Meta acted on the write, then answered as if it had failed.
		_ = s.serve(q)
		out = s.faultResp(f)
	default:
		s.calls[label]++
		out = s.faultResp(f)
	}
	s.mu.Unlock()
	writeResp(w, out)
}

func (s *Sim) lockedErrBody(e *gErr) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errBody(e)
}

func writeResp(w http.ResponseWriter, r *resp) {
	for k, vs := range r.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Facebook-Api-Version", "v26.0")
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// serve dispatches a request: batch, ids= lookup, or a single call. Lock held.
func (s *Sim) serve(q *rq) *resp {
	if len(q.segs) == 0 {
		switch {
		case q.method == http.MethodPost && q.params.Has("batch"):
			return s.serveBatch(q)
		case q.method == http.MethodGet && q.params.Has("ids"):
			return s.serveIDs(q)
		}
		return s.errResp(errInvalidParam("Unsupported request on the root node"), nil)
	}
	return s.handle(q)
}

// errResp renders an error answer with optional extra headers.
func (s *Sim) errResp(e *gErr, h http.Header) *resp {
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range e.header {
		h[k] = vs
	}
	if e.code == 190 || e.code == 102 {
		h.Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+e.msg+`"`)
	}
	return &resp{status: e.status, header: h, body: s.errBody(e)}
}

func (s *Sim) okResp(v any, h http.Header) *resp {
	b, err := json.Marshal(v)
	if err != nil {
		return s.errResp(&gErr{status: 500, code: 1, typ: "OAuthException", msg: "An unknown error has occurred.", transient: true}, h)
	}
	if h == nil {
		h = http.Header{}
	}
	return &resp{status: http.StatusOK, header: h, body: b}
}

// handle serves one non-batch call and counts it. Lock held.
func (s *Sim) handle(q *rq) *resp {
	label := s.label(q)
	s.calls[label]++
	if len(q.segs) == 1 && q.segs[0] == "debug_token" {
		v, e := s.debugToken(q)
		if e != nil {
			return s.errResp(e, nil)
		}
		return s.okResp(v, nil)
	}
	if label == "oauth_access_token" {
		v, e := s.oauthAccessToken(q)
		if e != nil {
			return s.errResp(e, nil)
		}
		return s.okResp(v, nil)
	}
	tok, e := s.authenticate(q)
	if e != nil {
		return s.errResp(e, nil)
	}
	if q.segs[0] == "me" {
		v, e := s.handleMe(q, tok)
		if e != nil {
			return s.errResp(e, nil)
		}
		return s.okResp(v, nil)
	}
	if label == "video_upload" {
		v, e := s.uploadReel(q, tok)
		if e != nil {
			return s.errResp(e, nil)
		}
		return s.okResp(v, nil)
	}
	id := q.segs[0]
	obj, ok := s.objects[id]
	if !ok || !s.canAccess(tok, obj, id) {
		return s.errResp(errNoObject(q.method, id), nil)
	}
	if len(q.segs) > 2 {
		return s.errResp(&gErr{status: 400, code: 2500, typ: "OAuthException", msg: "Unknown path components: /" + strings.Join(q.segs[2:], "/")}, nil)
	}
	h, te := s.meter(obj, id)
	if te != nil {
		return s.errResp(te, h)
	}
	fn := s.route(label)
	if fn == nil {
		return s.errResp(errNoObject(q.method, strings.Join(q.segs, "/")), h)
	}
	if perm := missingPerm(tok, label, q); perm != "" {
		return s.errResp(errMissingPerm(perm), h)
	}
	if publishingWrite(label) {
		if tok.kind != tokPage && strings.HasPrefix(label, "page_") {
			return s.errResp(&gErr{status: 400, code: 200, typ: "OAuthException",
				msg: "(#200) Publishing to a Page or its Instagram account requires a Page access token"}, h)
		}
		if !canPublishAs(tok) {
			return s.errResp(&gErr{status: 403, code: 200, typ: "OAuthException",
				msg: "(#200) The user does not have sufficient administrative permission for this action on this page."}, h)
		}
		if e := s.policyBlock(obj, id); e != nil {
			return s.errResp(e, h)
		}
	}
	v, e := fn(q, tok, id)
	if e != nil {
		return s.errResp(e, h)
	}
	return s.okResp(v, h)
}

// publishingWrite reports whether a call publishes (or may publish) content.
func publishingWrite(label string) bool {
	switch label {
	case "page_feed_post", "page_photos_post", "page_videos_post", "page_reels_post", "ig_media_publish",
		"comment_reply", "ig_comment_reply":
		return true
	}
	return false
}

// label is the low-cardinality endpoint name a request is counted under. Lock held.
func (s *Sim) label(q *rq) string {
	if len(q.segs) == 0 {
		if q.params.Has("batch") {
			return "batch"
		}
		if q.params.Has("ids") {
			return "ids_lookup"
		}
		return "root"
	}
	if q.segs[0] == "debug_token" {
		return "debug_token"
	}
	if q.segs[0] == "oauth" && len(q.segs) == 2 && q.segs[1] == "access_token" {
		return "oauth_access_token"
	}
	if q.segs[0] == "me" {
		if len(q.segs) > 1 {
			return "me_" + q.segs[1]
		}
		return "me"
	}
	if q.segs[0] == "video-upload" && q.method == http.MethodPost {
		return "video_upload"
	}
	obj, ok := s.objects[q.segs[0]]
	if !ok {
		return "unknown_object"
	}
	edge := ""
	if len(q.segs) > 1 {
		edge = q.segs[1]
	}
	get := q.method == http.MethodGet
	if l := commentLabel(obj, obj.kind == kComment && s.comments[q.segs[0]].ig, edge, q.method); l != "" {
		return l
	}
	switch obj.kind {
	case kPage:
		switch {
		case edge == "" && get:
			return "page_object"
		case edge == "feed" && !get:
			return "page_feed_post"
		case edge == "photos" && !get:
			if q.params.Get("published") == "false" && !q.params.Has("scheduled_publish_time") {
				return "page_photos_upload"
			}
			return "page_photos_post"
		case edge == "videos" && !get:
			return "page_videos_post"
		case edge == "videos" && get:
			return "page_videos_list"
		case edge == "video_reels" && !get:
			return "page_reels_post"
		case edge == "video_reels" && get:
			return "page_reels_list"
		case (edge == "posts" || edge == "feed" || edge == "published_posts") && get:
			return "page_posts_list"
		}
	case kIG:
		switch {
		case edge == "" && get:
			return "ig_user_object"
		case edge == "media" && !get:
			return "ig_media_create"
		case edge == "media" && get:
			return "ig_media_list"
		case edge == "media_publish" && !get:
			return "ig_media_publish"
		case edge == "content_publishing_limit" && get:
			return "ig_publishing_limit"
		case edge == "stories" && get:
			return "ig_stories_list"
		}
	case kPost:
		switch {
		case edge == "" && get:
			return "post_object"
		case edge == "insights" && get:
			return "post_insights"
		}
	case kPhoto:
		if edge == "" && get {
			return "photo_object"
		}
	case kVideo:
		switch {
		case edge == "" && get:
			return "video_object"
		case edge == "video_insights" && get:
			return "video_insights"
		}
	case kContainer:
		if edge == "" && get {
			return "ig_container_status"
		}
	case kMedia:
		switch {
		case edge == "" && get:
			return "ig_media_object"
		case edge == "insights" && get:
			return "ig_media_insights"
		}
	}
	return "unsupported"
}

type handlerFunc func(q *rq, tok *token, id string) (any, *gErr)

func (s *Sim) route(label string) handlerFunc {
	if fn := s.commentRoute(label); fn != nil {
		return fn
	}
	switch label {
	case "page_object":
		return s.getPage
	case "page_feed_post":
		return s.postFeed
	case "page_photos_post", "page_photos_upload":
		return s.postPhoto
	case "page_videos_post":
		return s.postVideo
	case "page_posts_list":
		return s.listPosts
	case "page_videos_list":
		return s.listVideos
	case "page_reels_post":
		return s.postReel
	case "page_reels_list":
		return s.listReels
	case "video_insights":
		return s.videoInsights
	case "ig_user_object":
		return s.getIGUser
	case "ig_media_create":
		return s.createContainer
	case "ig_media_list":
		return s.listMedia
	case "ig_stories_list":
		return s.listStories
	case "ig_media_publish":
		return s.publishContainer
	case "ig_publishing_limit":
		return s.publishingLimit
	case "post_object":
		return s.getPost
	case "post_insights":
		return s.postInsights
	case "photo_object":
		return s.getPhoto
	case "video_object":
		return s.getVideo
	case "ig_container_status":
		return s.getContainer
	case "ig_media_object":
		return s.getMedia
	case "ig_media_insights":
		return s.mediaInsights
	}
	return nil
}
