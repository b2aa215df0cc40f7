package graphsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultPagePerms are the permissions a Page token gets when AddPage is
// given none.
var defaultPagePerms = []string{
	"pages_show_list", "pages_read_engagement", "pages_manage_posts", "pages_read_user_content", "pages_manage_engagement",
	"read_insights", "publish_video", "business_management", "ads_read",
	"instagram_basic", "instagram_content_publish", "instagram_manage_insights", "instagram_manage_comments",
}

// DefaultPagePerms returns the permissions a Page token gets by default.
func DefaultPagePerms() []string { return append([]string(nil), defaultPagePerms...) }

func (s *Sim) appToken() string { return s.opt.AppID + "|" + s.opt.AppSecret }

// checkProof validates appsecret_proof (time-based or legacy) against the
// secret of the token's app: a token of another app never matches ours.
func (s *Sim) checkProof(q *rq, tok *token) *gErr {
	if s.opt.AppSecret == "" || q.inBatch {
		return nil
	}
	proof := q.params.Get("appsecret_proof")
	if proof == "" {
		if s.opt.RequireProof {
			return &gErr{status: 400, code: 100, typ: "GraphMethodException", msg: "API calls from the server require an appsecret_proof argument"}
		}
		return nil
	}
	bad := &gErr{status: 400, code: 100, typ: "GraphMethodException", msg: "Invalid appsecret_proof provided in the API argument"}
	if tok != nil && tok.appID != "" && tok.appID != s.opt.AppID {
		return bad
	}
	mac := hmac.New(sha256.New, []byte(s.opt.AppSecret))
	if ts := q.params.Get("appsecret_time"); ts != "" {
		t, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return bad
		}
		if d := s.now().Sub(time.Unix(t, 0)); d > 5*time.Minute || d < -5*time.Minute {
			return bad
		}
		mac.Write([]byte(q.token + "|" + ts))
	} else {
		mac.Write([]byte(q.token))
	}
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(proof)) {
		return bad
	}
	return nil
}

// authenticate resolves the token of q. Lock held.
func (s *Sim) authenticate(q *rq) (*token, *gErr) {
	if q.token == "" {
		return nil, &gErr{status: 400, code: 104, typ: "OAuthException", msg: "An access token is required to request this resource."}
	}
	tok, ok := s.tokens[q.token]
	if !ok {
		return nil, &gErr{status: 400, code: 190, typ: "OAuthException", msg: "Invalid OAuth access token - Cannot parse access token"}
	}
	if e := s.checkProof(q, tok); e != nil {
		return nil, e
	}
	if now := s.now(); !tok.expiresAt.IsZero() && !now.Before(tok.expiresAt) {
		return nil, errExpired(tok.expiresAt, now)
	}
	return tok, nil
}

func errExpired(at, now time.Time) *gErr {
	const layout = "Monday, 02-Jan-06 15:04:05 MST"
	pst := time.FixedZone("PST", -8*3600)
	msg := fmt.Sprintf("Error validating access token: Session has expired on %s. The current time is %s.",
		at.In(pst).Format(layout), now.In(pst).Format(layout))
	return &gErr{status: 400, code: 190, subcode: 463, typ: "OAuthException", msg: msg}
}

// canAccess reports whether tok may use the object id.
func (s *Sim) canAccess(tok *token, o object, id string) bool {
	pageID := s.pageOf(o, id)
	return pageID != "" && tok.reaches(pageID)
}

// pageOf is the Page an object belongs to (through its IG account).
func (s *Sim) pageOf(o object, id string) string {
	pageID := ""
	switch o.kind {
	case kPage:
		pageID = id
	case kIG:
		pageID = s.igs[id].pageID
	case kPost, kPhoto, kVideo:
		pageID = o.owner
	case kContainer, kMedia:
		pageID = s.igs[o.owner].pageID
	case kComment:
		pageID = o.owner
		if ig, ok := s.igs[o.owner]; ok {
			pageID = ig.pageID
		}
	}
	return pageID
}

func errMissingPerm(perm string) *gErr {
	switch perm {
	case "read_insights", "instagram_manage_insights", "pages_read_user_content":
		return &gErr{status: 403, code: 10, typ: "OAuthException", msg: fmt.Sprintf("(#10) Application does not have permission for this action: requires the '%s' permission", perm)}
	}
	return &gErr{status: 403, code: 200, typ: "OAuthException", msg: fmt.Sprintf("(#200) Requires %s permission to perform this action", perm)}
}

// Permissions each kind of call needs, per Meta's references: publishing
// to a Page needs pages_manage_posts, pages_read_engagement and
// pages_show_list (videos and reels too); Instagram publishing needs
// instagram_basic, instagram_content_publish and pages_read_engagement,
// and, with a Business Manager role, business_management and ads_read or
// ads_management; insights need read_insights or instagram_manage_insights.
var (
	permsPagePublish = []string{"pages_manage_posts", "pages_read_engagement", "pages_show_list"}
	permsPageRead    = []string{"pages_read_engagement"}
	permsPageInsight = []string{"read_insights", "pages_read_engagement"}
	permsIGPublish   = []string{"instagram_basic", "instagram_content_publish", "pages_read_engagement"}
	permsIGRead      = []string{"instagram_basic", "pages_read_engagement"}
	permsIGInsight   = []string{"instagram_basic", "instagram_manage_insights", "pages_read_engagement"}
)

// requiredPerms are the permissions a call needs (insights expansions are
// checked where rendered).
func requiredPerms(label string, q *rq) []string {
	if p := commentPerms(label); p != nil {
		return p
	}
	switch label {
	case "page_feed_post", "page_photos_post", "page_photos_upload", "page_videos_post", "page_reels_post":
		return permsPagePublish
	case "page_object":
		if slicesContains(splitList(q.params.Get("fields")), "access_token") {
			return []string{"pages_show_list"}
		}
		return permsPageRead
	case "page_posts_list", "page_videos_list", "page_reels_list", "post_object", "photo_object", "video_object":
		return permsPageRead
	case "post_insights", "video_insights":
		return permsPageInsight
	case "ig_media_create", "ig_media_publish", "ig_publishing_limit":
		return permsIGPublish
	case "ig_user_object", "ig_media_list", "ig_stories_list", "ig_container_status", "ig_media_object":
		return permsIGRead
	case "ig_media_insights":
		return permsIGInsight
	}
	return nil
}

// missingPerm returns the first permission tok lacks for a call ("" if none).
func missingPerm(tok *token, label string, q *rq) string {
	for _, p := range requiredPerms(label, q) {
		if !tok.perms[p] {
			return p
		}
	}
	switch label {
	case "ig_media_create", "ig_media_publish", "ig_publishing_limit":
		if tok.viaBM {
			if !tok.perms["business_management"] {
				return "business_management"
			}
			if !tok.perms["ads_read"] && !tok.perms["ads_management"] {
				return "ads_read"
			}
		}
	}
	return ""
}

func slicesContains(list []string, s string) bool { return contains(list, s) }

// usageState tracks one object's (or the app's) usage percentage.
type usageState struct {
	pct          float64
	at           time.Time
	blockedUntil time.Time
	forcedUntil  time.Time
}

func (s *Sim) usageOf(key string) *usageState {
	u, ok := s.usage[key]
	if !ok {
		u = &usageState{at: s.now()}
		s.usage[key] = u
	}
	return u
}

// add drains the usage for elapsed time and adds one call; it returns the
// usage and, if throttled, the time until access is regained.
func (s *Sim) add(u *usageState, now time.Time) (float64, time.Duration) {
	if el := now.Sub(u.at); el > 0 {
		u.pct = math.Max(0, u.pct-100*float64(el)/float64(s.opt.UsageWindow))
	}
	u.at = now
	u.pct += s.opt.UsagePerCall // failed and throttled calls still count
	if now.Before(u.forcedUntil) {
		return u.pct, u.forcedUntil.Sub(now)
	}
	if now.Before(u.blockedUntil) {
		return u.pct, u.blockedUntil.Sub(now)
	}
	if u.pct >= 100 {
		// Blocked until usage drains back to 80%.
		u.blockedUntil = now.Add(time.Duration((u.pct - 80) / 100 * float64(s.opt.UsageWindow)))
		return u.pct, u.blockedUntil.Sub(now)
	}
	return u.pct, 0
}

// meter counts a call against the app and the owning object, returns the
// usage headers and a throttle error when limited. Lock held.
func (s *Sim) meter(o object, id string) (http.Header, *gErr) {
	now := s.now()
	owner, typ, code := id, "pages", 80001
	switch o.kind {
	case kIG:
		typ, code = "instagram", 80002
	case kPost, kPhoto, kVideo:
		owner = o.owner
	case kContainer, kMedia:
		owner, typ, code = o.owner, "instagram", 80002
	case kComment:
		owner = o.owner
		if _, ok := s.igs[o.owner]; ok {
			typ, code = "instagram", 80002
		}
	}
	appPct, appWait := s.add(s.usageOf("app"), now)
	pct, wait := s.add(s.usageOf(owner), now)
	h := http.Header{}
	app, _ := json.Marshal(map[string]int{"call_count": int(appPct), "total_time": int(appPct * 0.6), "total_cputime": int(appPct * 0.5)})
	h.Set("X-App-Usage", string(app))
	regain := int(math.Ceil(wait.Minutes()))
	buc, _ := json.Marshal(map[string][]map[string]any{owner: {{
		"type": typ, "call_count": int(pct), "total_time": int(pct * 0.6), "total_cputime": int(pct * 0.5),
		"estimated_time_to_regain_access": regain,
	}}})
	h.Set("X-Business-Use-Case-Usage", string(buc))
	if wait > 0 {
		msg := "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
		if code == 80002 {
			msg = "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
		}
		return h, &gErr{status: 400, code: code, typ: "OAuthException", msg: msg, transient: true}
	}
	if appWait > 0 {
		return h, &gErr{status: 403, code: 4, typ: "OAuthException", msg: "(#4) Application request limit reached", transient: true}
	}
	return h, nil
}

// debugToken answers GET /debug_token. Lock held.
func (s *Sim) debugToken(q *rq) (any, *gErr) {
	caller, known := s.tokens[q.token]
	if q.token == "" || q.token != s.appToken() || s.opt.AppID == "" {
		if !known {
			return nil, &gErr{status: 400, code: 190, typ: "OAuthException", msg: "Invalid OAuth access token - Cannot parse access token"}
		}
	}
	if e := s.checkProof(q, caller); e != nil {
		return nil, e
	}
	input := q.params.Get("input_token")
	if input == "" {
		return nil, errInvalidParam("The parameter input_token is required")
	}
	now := s.now()
	tok, ok := s.tokens[input]
	if !ok {
		return map[string]any{"data": map[string]any{
			"is_valid": false, "scopes": []string{},
			"error": map[string]any{"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
		}}, nil
	}
	scopes := []string{}
	for _, p := range defaultPagePerms {
		if tok.perms[p] {
			scopes = append(scopes, p)
		}
	}
	for p := range tok.perms {
		if !contains(scopes, p) {
			scopes = append(scopes, p)
		}
	}
	exp := int64(0)
	if !tok.expiresAt.IsZero() {
		exp = tok.expiresAt.Unix()
	}
	appID, app := s.opt.AppID, "humas"
	if tok.appID != "" && tok.appID != s.opt.AppID {
		appID, app = tok.appID, "Other app"
	}
	// granular_scopes: the Pages (and their IG accounts) each scope reaches.
	pages := tok.pages
	if tok.kind == tokPage {
		pages = []string{tok.pageID}
	}
	var granular []map[string]any
	for _, sc := range scopes {
		var targets []string
		for _, pg := range pages {
			if strings.HasPrefix(sc, "instagram_") {
				if p := s.pages[pg]; p != nil && p.igID != "" {
					targets = append(targets, p.igID)
				}
			} else if strings.HasPrefix(sc, "pages_") || sc == "read_insights" || sc == "publish_video" {
				targets = append(targets, pg)
			}
		}
		g := map[string]any{"scope": sc}
		if targets != nil {
			g["target_ids"] = targets
		}
		granular = append(granular, g)
	}
	d := map[string]any{
		"app_id": appID, "application": app, "type": tok.kind,
		"expires_at": exp, "data_access_expires_at": now.Add(90 * 24 * time.Hour).Unix(),
		"is_valid": true, "issued_at": tok.issuedAt.Unix(),
		"scopes": scopes, "user_id": "1000000000000001", "granular_scopes": granular,
	}
	if tok.userID != "" {
		d["user_id"] = tok.userID
	}
	if tok.kind == tokPage {
		d["profile_id"] = tok.pageID
	}
	if !tok.expiresAt.IsZero() && !now.Before(tok.expiresAt) {
		d["is_valid"] = false
		e := errExpired(tok.expiresAt, now)
		d["error"] = map[string]any{"code": 190, "subcode": 463, "message": e.msg}
	}
	return map[string]any{"data": d}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
