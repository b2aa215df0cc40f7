package graphsim

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Facebook Login for Business as a browser meets it: the OAuth dialog (an
// HTML page at /{version}/dialog/oauth, where the person signed in to
// Facebook continues as themselves, picks the Pages the app may reach and
// may untick any permission), the code and token exchanges at
// /oauth/access_token, and the user-token endpoints /me, /me/permissions
// and /me/accounts.
//
// As on Facebook: the redirect URI must be registered (AllowRedirectURI);
// a code is good once, for 10 minutes, with the redirect URI it was issued
// for; the code gives a short-lived user token (2 hours) that
// fb_exchange_token turns into a long-lived one (60 days); a Page token
// from a long-lived user token never expires, one from a short-lived token
// expires with it; a declined permission is missing from the token and
// /me/permissions says "declined"; the dialog does not ask again for a
// permission the person declined unless auth_type=rerequest; /me/accounts
// without pages_show_list is empty; cancelling redirects with
// error=access_denied.

// person is a Facebook user of the simulated world.
type person struct {
	id, name string
	pages    map[string][]string // Page id → the person's tasks on it
	order    []string            // the Pages in the order added
	// grants are the app's permissions as the person last answered the
	// dialog: "granted" or "declined".
	grants map[string]string
}

type authCode struct {
	userID, redirectURI string
	perms               []string
	pages               []string
	expires             time.Time
	used                bool
}

type loginState struct {
	people    map[string]*person
	order     []string
	current   string // who is signed in to Facebook in "the browser"
	codes     map[string]*authCode
	redirects []string
}

func newLoginState() loginState {
	return loginState{people: map[string]*person{}, codes: map[string]*authCode{}}
}

// Token lifetimes of Facebook Login.
const (
	ShortLivedUserToken = 2 * time.Hour
	LongLivedUserToken  = 5183944 * time.Second // ~60 days, as Meta answers expires_in
	codeTTL             = 10 * time.Minute
)

// AllTasks are a Page's full-control tasks (a Page admin's).
var AllTasks = []string{"ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"}

// permissionText is how the dialog describes each permission an app may
// ask for; a scope not listed here is refused as Facebook refuses an
// unknown one ("Invalid Scopes").
var permissionText = map[string]string{
	"public_profile":            "Your name and profile picture",
	"email":                     "Your email address",
	"pages_show_list":           "Show a list of the Pages you manage",
	"pages_read_engagement":     "Read content posted on the Page",
	"pages_manage_posts":        "Create and manage content on your Page",
	"pages_read_user_content":   "Read user content on your Page",
	"pages_manage_engagement":   "Manage comments on your Page",
	"pages_manage_metadata":     "Manage accounts, settings and webhooks for a Page",
	"read_insights":             "Read Page insights",
	"publish_video":             "Publish videos to your Page",
	"business_management":       "Manage your business",
	"ads_read":                  "Access ads and related stats",
	"ads_management":            "Manage your ads",
	"instagram_basic":           "Access profile and posts from the Instagram account connected to your Page",
	"instagram_content_publish": "Create and publish content on the Instagram account connected to your Page",
	"instagram_manage_insights": "Access insights for the Instagram account connected to your Page",
	"instagram_manage_comments": "Manage comments for the Instagram account connected to your Page",
}

// AddUser registers a Facebook user who can log in to the app through the
// dialog. The first one added is the one signed in (LogInAs changes it).
func (s *Sim) AddUser(id, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" || name == "" {
		return fmt.Errorf("graphsim: a user needs an id and a name")
	}
	if _, ok := s.login.people[id]; ok {
		return fmt.Errorf("graphsim: user %s already exists", id)
	}
	s.login.people[id] = &person{id: id, name: name, pages: map[string][]string{}, grants: map[string]string{}}
	s.login.order = append(s.login.order, id)
	if s.login.current == "" {
		s.login.current = id
	}
	return nil
}

// AddPageRole gives a user tasks on a Page (AllTasks when none: a Page
// admin). Their /me/accounts lists it.
func (s *Sim) AddPageRole(userID, pageID string, tasks ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.login.people[userID]
	if !ok {
		return fmt.Errorf("graphsim: no user %s", userID)
	}
	if _, ok := s.pages[pageID]; !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	if len(tasks) == 0 {
		tasks = AllTasks
	}
	if _, had := p.pages[pageID]; !had {
		p.order = append(p.order, pageID)
	}
	p.pages[pageID] = append([]string(nil), tasks...)
	return nil
}

// LogInAs makes a user the one signed in to Facebook: the dialog offers
// to continue as them.
func (s *Sim) LogInAs(userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.login.people[userID]; !ok {
		return fmt.Errorf("graphsim: no user %s", userID)
	}
	s.login.current = userID
	return nil
}

// AllowRedirectURI adds a Valid OAuth Redirect URI to the app's Facebook
// Login settings; the dialog refuses any other.
func (s *Sim) AllowRedirectURI(uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.login.redirects, uri) {
		s.login.redirects = append(s.login.redirects, uri)
	}
}

// UserPermissions is a user's answer to the app's permissions, as
// /me/permissions lists it: permission → "granted" or "declined".
func (s *Sim) UserPermissions(userID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if p := s.login.people[userID]; p != nil {
		for k, v := range p.grants {
			out[k] = v
		}
	}
	return out
}

// dialogParams are the dialog's query (GET) or form (POST) fields.
type dialogParams struct {
	ClientID, RedirectURI, State, AuthType string
	Scopes                                 []string
}

func readDialog(r *http.Request) dialogParams {
	d := dialogParams{ClientID: r.Form.Get("client_id"), RedirectURI: r.Form.Get("redirect_uri"), State: r.Form.Get("state"),
		AuthType: r.Form.Get("auth_type")}
	for _, sc := range strings.Split(r.Form.Get("scope"), ",") {
		if sc = strings.TrimSpace(sc); sc != "" && !slices.Contains(d.Scopes, sc) {
			d.Scopes = append(d.Scopes, sc)
		}
	}
	return d
}

// dialogProblem checks the app, the redirect URI and the scopes, in
// Facebook's order, and returns the error page's title and text ("" when
// all is well). Lock held.
func (s *Sim) dialogProblem(d dialogParams) (title, text string) {
	if d.ClientID == "" || d.ClientID != s.opt.AppID {
		return "Invalid App ID", "The provided app ID does not look like a valid app ID."
	}
	if d.RedirectURI == "" || !slices.Contains(s.login.redirects, d.RedirectURI) {
		return "URL blocked", "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. " +
			"Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs."
	}
	var bad []string
	for _, sc := range d.Scopes {
		if _, ok := permissionText[sc]; !ok {
			bad = append(bad, sc)
		}
	}
	if len(bad) > 0 {
		return "Invalid Scopes", "Invalid Scopes: " + strings.Join(bad, ", ") +
			". This message is only shown to developers. Users of your app will ignore these permissions if present."
	}
	return "", ""
}

// dialogPerm is one permission row of the dialog.
type dialogPerm struct {
	Name, Text string
	Declined   bool // declined before and not asked again (no rerequest)
}

type dialogUser struct{ ID, Name string }

type dialogPage struct {
	ID, Name, IG string
	Tasks        string
}

type dialogView struct {
	Title, Error, Text string
	App                string
	D                  dialogParams
	Scope              string
	User               dialogUser
	Others             []dialogUser
	Pages              []dialogPage
	Perms              []dialogPerm
	Action             string
}

// serveDialog answers the OAuth dialog: GET shows it, POST is the
// person's answer (continue or cancel), redirecting to the app.
func (s *Sim) serveDialog(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpRequests++
	s.calls["dialog_oauth"]++
	d := readDialog(r)
	v := dialogView{App: "humas", D: d, Scope: strings.Join(d.Scopes, ","), Action: r.URL.Path}
	if title, text := s.dialogProblem(d); title != "" {
		v.Error, v.Text = title, text
		s.writeDialog(w, v)
		return
	}
	uid := s.login.current
	if u := r.Form.Get("user"); u != "" && s.login.people[u] != nil {
		uid = u // "Not you?": another account of this browser
	}
	p := s.login.people[uid]
	if p == nil {
		v.Error, v.Text = "Log in to Facebook", "No one is logged in to Facebook in this browser (the simulator has no users: AddUser)."
		s.writeDialog(w, v)
		return
	}
	if r.Method == http.MethodPost {
		s.dialogAnswer(w, r, d, p)
		return
	}
	v.User = dialogUser{ID: p.id, Name: p.name}
	for _, id := range s.login.order {
		if id != p.id {
			v.Others = append(v.Others, dialogUser{ID: id, Name: s.login.people[id].name})
		}
	}
	for _, pid := range p.order {
		pg := s.pages[pid]
		dp := dialogPage{ID: pid, Name: pg.name, Tasks: strings.Join(p.pages[pid], ", ")}
		if ig := s.igs[pg.igID]; ig != nil {
			dp.IG = "@" + ig.username
		}
		v.Pages = append(v.Pages, dp)
	}
	for _, sc := range d.Scopes {
		if sc == "public_profile" {
			continue // always granted, never a choice
		}
		v.Perms = append(v.Perms, dialogPerm{Name: sc, Text: permissionText[sc],
			Declined: p.grants[sc] == "declined" && d.AuthType != "rerequest"})
	}
	s.writeDialog(w, v)
}

// dialogAnswer records the person's choice and sends the browser back to
// the app with a code, or with error=access_denied. Lock held.
func (s *Sim) dialogAnswer(w http.ResponseWriter, r *http.Request, d dialogParams, p *person) {
	q := url.Values{}
	if d.State != "" {
		q.Set("state", d.State)
	}
	if r.Form.Get("decision") != "allow" {
		q.Set("error", "access_denied")
		q.Set("error_code", "200")
		q.Set("error_description", "Permissions error")
		q.Set("error_reason", "user_denied")
		http.Redirect(w, r, withQuery(d.RedirectURI, q)+"#_=_", http.StatusFound)
		return
	}
	ticked := r.Form["perm"]
	perms := []string{"public_profile"}
	p.grants["public_profile"] = "granted"
	for _, sc := range d.Scopes {
		if sc == "public_profile" {
			continue
		}
		asked := p.grants[sc] != "declined" || d.AuthType == "rerequest"
		switch {
		case asked && slices.Contains(ticked, sc):
			p.grants[sc] = "granted"
			perms = append(perms, sc)
		case asked:
			p.grants[sc] = "declined"
		case p.grants[sc] == "granted":
			perms = append(perms, sc)
		}
	}
	// Permissions granted at an earlier login stay granted.
	for sc, st := range p.grants {
		if st == "granted" && !slices.Contains(perms, sc) {
			perms = append(perms, sc)
		}
	}
	var pages []string
	for _, pid := range r.Form["page"] {
		if _, ok := p.pages[pid]; ok && !slices.Contains(pages, pid) {
			pages = append(pages, pid)
		}
	}
	code := "AQ" + s.randomText(64)
	s.login.codes[code] = &authCode{userID: p.id, redirectURI: d.RedirectURI, perms: perms, pages: pages, expires: s.now().Add(codeTTL)}
	q.Set("code", code)
	http.Redirect(w, r, withQuery(d.RedirectURI, q)+"#_=_", http.StatusFound)
}

func withQuery(base string, q url.Values) string {
	if strings.Contains(base, "?") {
		return base + "&" + q.Encode()
	}
	return base + "?" + q.Encode()
}

// randomText is n letters and digits from the simulator's generator.
func (s *Sim) randomText(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *Sim) writeDialog(w http.ResponseWriter, v dialogView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := dialogTmpl.Execute(w, v); err != nil {
		s.opt.Logger.Error("graphsim: render the login dialog", "err", err)
	}
}

// oauthAccessToken answers GET /oauth/access_token: a code for a
// short-lived user token, or (grant_type=fb_exchange_token) a user token
// for a long-lived one. Lock held.
func (s *Sim) oauthAccessToken(q *rq) (any, *gErr) {
	p := q.params
	if p.Get("client_id") != s.opt.AppID {
		return nil, &gErr{status: 400, code: 101, typ: "OAuthException", msg: "Error validating application. Invalid application ID."}
	}
	if p.Get("client_secret") != s.opt.AppSecret {
		return nil, &gErr{status: 400, code: 1, typ: "OAuthException", msg: "Error validating client secret."}
	}
	now := s.now()
	switch {
	case p.Get("grant_type") == "fb_exchange_token":
		from, ok := s.tokens[p.Get("fb_exchange_token")]
		if !ok || from.kind != tokUser || (!from.expiresAt.IsZero() && !now.Before(from.expiresAt)) {
			return nil, &gErr{status: 400, code: 190, typ: "OAuthException", msg: "Invalid OAuth access token."}
		}
		t := s.newUserToken(from.userID, from.perms, from.pages, now.Add(LongLivedUserToken))
		t.longLived = true
		return map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int64(LongLivedUserToken / time.Second)}, nil
	case p.Has("code"):
		c, ok := s.login.codes[p.Get("code")]
		switch {
		case !ok:
			return nil, &gErr{status: 400, code: 100, typ: "OAuthException", msg: "Invalid verification code format."}
		case c.used:
			return nil, &gErr{status: 400, code: 100, subcode: 36009, typ: "OAuthException", msg: "This authorization code has been used."}
		case !now.Before(c.expires):
			return nil, &gErr{status: 400, code: 100, subcode: 36007, typ: "OAuthException", msg: "This authorization code has expired."}
		case p.Get("redirect_uri") != c.redirectURI:
			return nil, &gErr{status: 400, code: 100, subcode: 36008, typ: "OAuthException",
				msg: "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"}
		}
		c.used = true
		perms := map[string]bool{}
		for _, sc := range c.perms {
			perms[sc] = true
		}
		t := s.newUserToken(c.userID, perms, c.pages, now.Add(ShortLivedUserToken))
		return map[string]any{"access_token": t.value, "token_type": "bearer", "expires_in": int64(ShortLivedUserToken / time.Second)}, nil
	}
	return nil, errInvalidParam("Missing grant_type, code or fb_exchange_token")
}

// newUserToken registers a user token. Lock held.
func (s *Sim) newUserToken(userID string, perms map[string]bool, pages []string, expires time.Time) *token {
	t := &token{value: "EAAuser" + s.randomText(48), kind: tokUser, userID: userID, pages: append([]string(nil), pages...),
		perms: map[string]bool{}, issuedAt: s.now(), expiresAt: expires}
	for k, v := range perms {
		t.perms[k] = v
	}
	s.tokens[t.value] = t
	return t
}

// handleMe answers /me, /me/permissions and /me/accounts. Lock held.
func (s *Sim) handleMe(q *rq, tok *token) (any, *gErr) {
	edge := ""
	if len(q.segs) > 1 {
		edge = q.segs[1]
	}
	switch edge {
	case "":
		switch tok.kind {
		case tokUser:
			return map[string]any{"id": tok.userID, "name": s.login.people[tok.userID].name}, nil
		case tokPage:
			return map[string]any{"id": tok.pageID, "name": s.pages[tok.pageID].name}, nil
		}
		return map[string]any{"id": "61550000000" + fmt.Sprint(fnvHash(tok.value)%100000), "name": "humas system user"}, nil
	case "permissions":
		var data []map[string]any
		if tok.kind == tokUser {
			p := s.login.people[tok.userID]
			names := make([]string, 0, len(p.grants))
			for k := range p.grants {
				names = append(names, k)
			}
			slices.Sort(names)
			for _, k := range names {
				st := p.grants[k]
				if st == "granted" && !tok.perms[k] {
					st = "declined" // granted since, by a later login: this token lacks it
				}
				data = append(data, map[string]any{"permission": k, "status": st})
			}
		} else {
			for _, k := range sortedPerms(tok) {
				data = append(data, map[string]any{"permission": k, "status": "granted"})
			}
		}
		return map[string]any{"data": data}, nil
	case "accounts":
		return s.meAccounts(q, tok)
	}
	return nil, errNoObject(q.method, "me/"+edge)
}

func sortedPerms(tok *token) []string {
	var out []string
	for k, ok := range tok.perms {
		if ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// meAccounts lists the Pages a user (or system user) token reaches, each
// with its Page token and the caller's tasks; without pages_show_list
// the list is empty. Lock held.
func (s *Sim) meAccounts(q *rq, tok *token) (any, *gErr) {
	fs, e := fieldsParam(q, "access_token,category,category_list,name,id,tasks")
	if e != nil {
		return nil, e
	}
	var ids []string
	switch tok.kind {
	case tokUser:
		if tok.perms["pages_show_list"] {
			p := s.login.people[tok.userID]
			for _, pid := range tok.pages {
				if _, ok := p.pages[pid]; ok {
					ids = append(ids, pid)
				}
			}
		}
	case tokSystemUser:
		ids = tok.pages
	}
	return s.pageList(q, len(ids), func(i int) (map[string]any, *gErr) {
		pg := s.pages[ids[i]]
		out := map[string]any{}
		for _, f := range fs {
			switch f.name {
			case "id":
				out["id"] = pg.id
			case "name":
				out["name"] = pg.name
			case "access_token":
				out["access_token"] = s.derivedPageToken(tok, pg.id)
			case "category":
				out["category"] = "Government Organization"
			case "category_list":
				out["category_list"] = []map[string]string{{"id": "2235", "name": "Government Organization"}}
			case "tasks":
				tasks := AllTasks
				if tok.kind == tokUser {
					tasks = s.login.people[tok.userID].pages[pg.id]
				}
				out["tasks"] = tasks
			case "instagram_business_account":
				ig := s.igs[pg.igID]
				if ig == nil {
					continue
				}
				m := map[string]any{"id": ig.id}
				for _, sf := range f.sub {
					switch sf.name {
					case "id":
					case "username":
						m["username"] = ig.username
					case "name":
						m["name"] = pg.name
					default:
						return nil, errNoField(sf.name, "IGUser")
					}
				}
				out["instagram_business_account"] = m
			default:
				return nil, errNoField(f.name, "Page")
			}
		}
		return out, nil
	})
}

// canPublishAs reports whether a Page token's person may create content
// on the Page (tasks CREATE_CONTENT or MANAGE); tokens without a person
// (system users, registered Page tokens) may.
func canPublishAs(tok *token) bool {
	if tok.tasks == nil {
		return true
	}
	return slices.Contains(tok.tasks, "CREATE_CONTENT") || slices.Contains(tok.tasks, "MANAGE")
}

var dialogTmpl = template.Must(template.New("dialog").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Error}}{{.Error}}{{else}}Log in with Facebook{{end}} | Facebook (simulated)</title>
<style>
body{margin:0;font:15px/1.4 Helvetica,Arial,sans-serif;background:#f0f2f5;color:#1c1e21}
.bar{background:#1877f2;color:#fff;padding:10px 16px;font-weight:bold;font-size:20px}
.bar small{font-weight:normal;font-size:12px;opacity:.85;margin-left:8px}
.card{background:#fff;max-width:520px;margin:24px auto;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:20px}
@media (max-width:560px){.card{margin:0;border-radius:0;box-shadow:none}}
h1{font-size:20px;margin:0 0 8px} h2{font-size:15px;margin:18px 0 6px}
.muted{color:#65676b;font-size:13px} label{display:flex;gap:8px;align-items:flex-start;padding:6px 0;border-top:1px solid #e4e6eb}
label span{flex:1} .tasks{display:block;color:#65676b;font-size:12px}
.buttons{display:flex;gap:8px;flex-wrap:wrap;margin-top:18px}
button{font:inherit;font-weight:bold;border:0;border-radius:6px;padding:10px 16px;cursor:pointer}
.primary{background:#1877f2;color:#fff;flex:1} .secondary{background:#e4e6eb;color:#050505}
.error{border-left:4px solid #fa383e;padding-left:10px} a{color:#1877f2}
</style></head><body>
<div class="bar">facebook <small>simulated by humas graphsim</small></div>
<main class="card">
{{if .Error}}<div class="error"><h1 id="dialog-error">{{.Error}}</h1><p>{{.Text}}</p></div>
{{else}}
<h1 id="continue-as">{{.App}} is requesting access</h1>
<p>Logged in as <strong>{{.User.Name}}</strong>. {{.App}} will receive the Pages and permissions you choose below.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.D.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.D.RedirectURI}}">
<input type="hidden" name="state" value="{{.D.State}}"><input type="hidden" name="scope" value="{{.Scope}}">
<input type="hidden" name="auth_type" value="{{.D.AuthType}}"><input type="hidden" name="user" value="{{.User.ID}}">
<h2>Choose the Pages {{.App}} can access</h2>
{{range .Pages}}<label><input type="checkbox" name="page" value="{{.ID}}" id="page-{{.ID}}" checked><span>{{.Name}}{{if .IG}} · Instagram {{.IG}}{{end}}<span class="tasks">Your tasks: {{.Tasks}}</span></span></label>
{{else}}<p class="muted" id="no-pages">You don't manage any Facebook Pages.</p>{{end}}
<h2>{{.App}} would like to</h2>
{{range .Perms}}<label><input type="checkbox" name="perm" value="{{.Name}}" id="perm-{{.Name}}"{{if .Declined}} disabled{{else}} checked{{end}}><span>{{.Text}} <span class="tasks">{{.Name}}{{if .Declined}} · you declined this before{{end}}</span></span></label>
{{end}}
<div class="buttons"><button type="submit" name="decision" value="allow" class="primary" id="continue">Continue as {{.User.Name}}</button>
<button type="submit" name="decision" value="cancel" class="secondary" id="cancel">Cancel</button></div>
</form>
{{if .Others}}<p class="muted">Not {{.User.Name}}? Log in as {{range $i, $o := .Others}}{{if $i}}, {{end}}<a href="?client_id={{$.D.ClientID}}&amp;redirect_uri={{$.D.RedirectURI}}&amp;state={{$.D.State}}&amp;scope={{$.Scope}}&amp;auth_type={{$.D.AuthType}}&amp;user={{$o.ID}}">{{$o.Name}}</a>{{end}}</p>{{end}}
{{end}}
</main></body></html>`))

// Consent is how the person answers the dialog in AnswerDialog.
type Consent struct {
	// Cancel presses Cancel.
	Cancel bool
	// Decline lists permissions to untick; Pages, when not nil, the Pages
	// to leave ticked (nil: every Page the person manages).
	Decline []string
	Pages   []string
}

// AnswerDialog answers the login dialog at dialogURL (the app's LoginURL)
// as the signed-in person would in a browser, and returns where the
// browser is sent: the app's redirect URI with a code, or with
// error=access_denied. Tests without a browser use it; the browser tests
// click the page itself.
func (s *Sim) AnswerDialog(dialogURL string, c Consent) (string, error) {
	u, err := url.Parse(dialogURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	s.mu.Lock()
	if title, text := s.dialogProblem(readDialogValues(q)); title != "" {
		s.mu.Unlock()
		return "", fmt.Errorf("graphsim: dialog: %s: %s", title, text)
	}
	p := s.login.people[s.login.current]
	if p == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("graphsim: dialog: no one is logged in")
	}
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("user", p.id)
	for _, sc := range readDialogValues(q).Scopes {
		if !slices.Contains(c.Decline, sc) {
			form.Add("perm", sc)
		}
	}
	pages := c.Pages
	if pages == nil {
		pages = p.order
	}
	for _, pid := range pages {
		form.Add("page", pid)
	}
	s.mu.Unlock()
	form.Set("decision", "allow")
	if c.Cancel {
		form.Set("decision", "cancel")
	}
	req := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: u.Path}, Form: form, Header: http.Header{}}
	rec := &recorder{h: http.Header{}}
	s.serveDialog(rec, req)
	if rec.code != http.StatusFound {
		return "", fmt.Errorf("graphsim: dialog answered %d", rec.code)
	}
	return rec.h.Get("Location"), nil
}

// recorder keeps the status and headers of an answer (AnswerDialog).
type recorder struct {
	h    http.Header
	code int
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func readDialogValues(v url.Values) dialogParams {
	return readDialog(&http.Request{Form: v})
}
