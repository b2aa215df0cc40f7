package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/agenda"
	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/auth/sso"
	"github.com/humas-id/humas/auth/throttle"
	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/ppid"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

// ChannelsAdminPath is where the administration's "Kanal" tab leads:
// channel administration (connect with Facebook or a system-user token,
// rename, move, disconnect, check now).
var ChannelsAdminPath = "/admin/channels"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// LinkSender delivers a setup link to the person it is for (by e-mail,
// once the notification work plugs one in). nil: links are only shown to
// the admin who made them, once.
type LinkSender interface {
	SendSetupLink(ctx context.Context, m auth.LinkMessage) error
}

// Deps are what the pages read and act through. All but Reports and
// Usage are required; without Reports the report page says it is not
// available.
type Deps struct {
	SQL  *store.SQLite
	Auth *auth.Store
	Org  *org.Store
	// Posts is the scheduler (calendar, compose, approvals): required.
	Posts *SchedulerPosts
	// Reports builds the report documents (report page, PDF, Excel, CSV).
	Reports Reports
	// Platform is the collector's view of the Pages (posts published
	// outside humas in the calendar and list; a post's figures over age).
	// Optional.
	Platform Platform
	// Subscriptions are the scheduled report emails (optional).
	Subscriptions *reportmail.Service
	// Usage reports the Graph API usage per channel for the health page
	// (optional).
	Usage UsageSource
	// Scope says which units and channels a user sees (required: the
	// scheduler's rule).
	Scope Scope

	Logger *slog.Logger
	// Location is the display zone when a unit has none (default
	// Asia/Jakarta).
	Location *time.Location
	// SecureCookies marks cookies Secure (set behind HTTPS).
	SecureCookies bool
	// SessionTTL is how long a sign-in lasts unused (default 12 h); each
	// use slides it, up to SessionMaxAge (default 7 days).
	SessionTTL    time.Duration
	SessionMaxAge time.Duration
	// PublicURL is where people reach humas (setup links); empty: the
	// address of the request.
	PublicURL string
	// LinkTTL is how long invitation and reset links stay good (72 h).
	LinkTTL time.Duration
	// Links sends setup links (optional; see LinkSender).
	Links LinkSender
	// SSO is single sign-on through OpenID Connect (optional).
	SSO *sso.Client
	// SSOCoversTOTP: the identity provider enforces its own second factor,
	// so an SSO sign-in skips humas' two-factor step.
	SSOCoversTOTP bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Throttle slows down repeated sign-in failures per client address
	// and per account (shared with the API's bearer tokens; nil: no
	// throttling).
	Throttle *throttle.Limiter
	// Media is the media library (nil: no library page; pasted media
	// URLs are then published as given). Users names uploaders.
	Media *media.Library
	Users UserLister
	// UploadTimeout replaces the server's read and write timeouts on
	// upload routes; SetBodyLimit (api.Server's) gives them their own
	// body limit.
	UploadTimeout time.Duration
	SetBodyLimit  func(method, fullPath string, max int64)
	// Inbox is the comments inbox and PPID its information requests
	// (optional: without them the pages are not served).
	Inbox *inbox.Service
	PPID  *ppid.Service
	// Agenda is the units' events (optional).
	Agenda *agenda.Service
	// Connect connects Pages and Instagram accounts (Facebook Login, a
	// system-user token); nil: the channels page says it is not available.
	Connect *connect.Service
	// Checks runs a channel's token check now ("periksa sekarang").
	Checks *scheduler.TokenChecks
	// Notices are the in-app notifications, their emails and each
	// person's preferences (optional: no badge, no list without it).
	Notices *notify.Service
}

// UsageSource gives the latest Graph API usage percentage Meta reported
// for an account (a Page or Instagram id); RegistryUsage reads it from
// the humas_graph_usage_percent gauge.
type UsageSource interface {
	AccountUsage(externalID string) (percent float64, ok bool)
}

const (
	sessionCookie = "humas_session"
	langCookie    = "humas_lang"
	preCSRFCookie = "humas_csrf"
	csrfField     = "csrf"
	ctxSession    = "web.session"
	ctxPending    = "web.pending"
	ctxLang       = "web.lang"
	ctxLoc        = "web.loc"
)

// Handler serves the pages.
type Handler struct {
	d     Deps
	log   *slog.Logger
	sess  *auth.Sessions
	pages map[string]*template.Template
}

// Mount adds the pages to e. Call it before the server starts.
func Mount(e *gin.Engine, d Deps) (*Handler, error) {
	h, err := New(d)
	if err != nil {
		return nil, err
	}
	h.Routes(e)
	return h, nil
}

// New checks deps and parses the templates.
func New(d Deps) (*Handler, error) {
	if d.SQL == nil || d.Auth == nil || d.Org == nil || d.Scope == nil || d.Posts == nil {
		return nil, errors.New("web: Deps.SQL, Deps.Auth, Deps.Org, Deps.Scope and Deps.Posts are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Location == nil {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			return nil, fmt.Errorf("web: load Asia/Jakarta: %w (install tzdata)", err)
		}
		d.Location = loc
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	if d.SessionMaxAge <= 0 {
		d.SessionMaxAge = 7 * 24 * time.Hour
	}
	if d.LinkTTL <= 0 {
		d.LinkTTL = auth.DefaultLinkTTL
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	return &Handler{d: d, log: d.Logger, pages: pages,
		sess: auth.NewSessions(d.SQL, auth.SessionPolicy{Idle: d.SessionTTL, Max: d.SessionMaxAge}, d.Now)}, nil
}

var templateFuncs = template.FuncMap{
	"state":     func(s string) string { return "state." + s },
	"join":      strings.Join,
	"isWebURL":  func(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") },
	"add":       func(a, b int) int { return a + b },
	"int64":     func(i int) int64 { return int64(i) },
	"list":      func(s ...string) []string { return s },
	"neg":       func(i int) int { return -i },
	"cellClass": cellClass,
	"int64u":    func(n uint64) int64 { return int64(n) },
	"rate": func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	},
	"extv":   func(v view, p analytics.PlatformPost) map[string]any { return map[string]any{"V": v, "P": p} },
	"postv":  func(v view, p PostView) map[string]any { return map[string]any{"V": v, "P": p} },
	"mediav": func(v view, m MediaCard) map[string]any { return map[string]any{"V": v, "M": m} },
	"json": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	},
	"auditv": func(v view, a []AuditView) map[string]any { return map[string]any{"V": v, "A": a} },
	"pwv": func(v view, fe map[string]string, min int) map[string]any {
		return map[string]any{"V": v, "FE": fe, "Min": min}
	},
	"subv": func(v view, sub string) map[string]any { return map[string]any{"L": v.L, "Sub": sub} },
	"flagv": func(v view, f unitForm, fe map[string]string) map[string]any {
		return map[string]any{"V": v, "F": f, "FE": fe}
	},
	"rolev": func(v view, sel auth.Role, fe map[string]string) map[string]any {
		return map[string]any{"V": v, "Sel": sel, "FE": fe}
	},
	"parentv": func(v view, units []unitNode, sel int64, fe map[string]string, label, name string) map[string]any {
		return map[string]any{"V": v, "Units": units, "Sel": sel, "FE": fe, "Label": label, "Name": name}
	},
	"unitv": func(v view, level, tz string, zones []string, fe map[string]string) map[string]any {
		return map[string]any{"V": v, "Level": level, "TZ": tz, "Zones": zones, "FE": fe}
	},
	"levels":       func() []string { return org.Levels },
	"roles":        func() []auth.Role { return auth.Roles },
	"userStatuses": func() []string { return []string{"active", "invited", "disabled"} },
	"indent": func(depth int) string {
		if depth == 0 {
			return ""
		}
		return strings.Repeat("\u00a0\u00a0", depth) + "↳ "
	},
	"channelsAdmin": func() string { return ChannelsAdminPath },
	"rejv":          func(v view, p PostView, fix bool) map[string]any { return map[string]any{"V": v, "P": p, "Fix": fix} },
	"healthv": func(v view, c org.Channel, h org.Health) map[string]any {
		return map[string]any{"V": v, "C": c, "H": h}
	},
	"tokv": func(v view, t []auth.APIToken, now time.Time, base string) map[string]any {
		return map[string]any{"V": v, "Tokens": t, "Now": now, "Base": base}
	},
	"hash12": func(s string) string {
		if len(s) > 19 {
			return s[:19] + "…"
		}
		return s
	},
	"short": func(s string) string {
		r := []rune(s)
		if len(r) <= 80 {
			return s
		}
		return string(r[:79]) + "…"
	},
}

// parseTemplates parses each page together with the layout.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "parts" {
			continue
		}
		t, err := template.New(base).Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// Routes registers every page on e.
func (h *Handler) Routes(e *gin.Engine) {
	e.GET("/static/*filepath", serveStatic)

	g := e.Group("/", h.securityHeaders, h.readForm, h.loadSession)
	g.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, landing(c)) })
	g.GET("/signin", h.signinPage)
	g.GET("/masuk", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/signin") })
	g.POST("/signin", h.signin)
	g.GET("/signin/sso", h.ssoStart)
	g.GET("/signin/sso/callback", h.ssoCallback)
	g.GET("/lang/:lang", h.setLang)
	g.GET("/setup/first/:token", h.firstRunPage)
	g.POST("/setup/first/:token", h.firstRunSave)
	g.GET("/setup/:token", h.setupPage)
	g.POST("/setup/:token", h.setupSave)
	// Any session, signed in or half-way (second factor, enrolment), can
	// sign out.
	g.POST("/signout", h.checkAnyCSRF, h.signout)

	// Half-way through sign-in: the second factor, or enrolment in it.
	g.GET("/signin/2fa", h.requireStage(auth.StageTOTP), h.totpPage)
	g.POST("/signin/2fa", h.requireStage(auth.StageTOTP), h.checkAnyCSRF, h.totpSubmit)
	enrol := g.Group("/account/2fa", h.requireStage(auth.StageEnrol, auth.StageFull), h.checkAnyCSRF)
	enrol.GET("", h.totpSetupPage)
	enrol.POST("/start", h.totpStart)
	enrol.POST("/confirm", h.totpConfirm)

	in := g.Group("/", h.requireSession, h.checkCSRF)
	h.accountRoutes(in)
	admin := in.Group("/admin", h.requireRole(auth.RoleAdmin))
	h.adminRoutes(admin)
	h.channelAdminRoutes(admin)
	h.noticeRoutes(in)
	in.GET("/calendar", h.calendarPage)
	in.GET("/posts", h.listPage)
	in.GET("/channels", h.channelsPage)
	in.GET("/report", h.reportPage)
	in.GET("/report.csv", h.reportDownload("csv"))
	in.GET("/report.pdf", h.reportDownload("pdf"))
	in.GET("/report.xlsx", h.reportDownload("xlsx"))
	in.GET("/units/:id/logo", h.unitLogo)
	h.inboxRoutes(in)
	h.agendaRoutes(in)

	// Scheduled reports: an admin or a division head (viewer) subscribes
	// people; the page shows every delivery and its retries.
	subs := in.Group("/", h.requireRole(auth.RoleAdmin, auth.RoleViewer))
	subs.GET("/report/subscriptions", h.subscriptionsPage)
	subs.POST("/report/subscriptions", h.subscribe)
	subs.POST("/report/subscriptions/:id/delete", h.unsubscribe)
	subs.POST("/report/deliveries/:id/retry", h.retryDelivery)

	// An office's letterhead: its admin sets the address, logo and the
	// head who signs.
	adm := in.Group("/", h.requireRole(auth.RoleAdmin))
	adm.GET("/settings/letterhead", h.letterheadPage)
	adm.POST("/settings/letterhead", h.letterheadSave)

	write := in.Group("/", h.requireRole(auth.RoleEditor, auth.RoleApprover, auth.RoleAdmin))
	write.GET("/posts/new", h.composePage)
	write.POST("/posts", h.composeSave)
	write.GET("/posts/:id/edit", h.editPage)
	write.POST("/posts/:id", h.editSave)
	in.GET("/posts/:id", h.postPage)
	// Any signed-in role may try: the scheduler decides (and says why not).
	in.POST("/posts/:id/cancel", h.cancelPost)

	if h.d.Media != nil {
		e.GET("/m/:token", h.publicMedia)
		e.HEAD("/m/:token", h.publicMedia)
		in.GET("/media", h.libraryPage)
		in.GET("/media/:id/thumb", h.thumb)
		in.GET("/media/:id/file", h.file)
		write.POST("/media/import", h.importURL)
		write.POST("/media/uploads", h.startUpload)
		write.GET("/media/uploads/:upload", h.uploadStatus)
		write.PUT("/media/uploads/:upload", h.writeChunk)
		write.POST("/media/:id/crop", h.cropMedia)
		write.POST("/media/:id/delete", h.deleteMedia)
		// Streamed: no form parsing, the handler checks the CSRF token.
		g.POST("/media/upload", h.requireSession, h.requireRole(auth.RoleEditor, auth.RoleApprover, auth.RoleAdmin), h.uploadForm)
		if h.d.SetBodyLimit != nil {
			max := h.d.Media.MaxUploadBytes() + 1<<20
			h.d.SetBodyLimit(http.MethodPost, "/media/upload", max)
			h.d.SetBodyLimit(http.MethodPut, "/media/uploads/:upload", max)
		}
	}

	appr := in.Group("/", h.requireRole(auth.RoleApprover, auth.RoleAdmin, auth.RolePPID))
	appr.GET("/approvals", h.approvalsPage)
	appr.POST("/approvals/:id/approve", h.approve)
	appr.POST("/approvals/:id/reject", h.reject)
	appr.POST("/approvals/:id/classify", h.classify)
}

// serveStatic serves the embedded CSS and JavaScript (files only, no
// directory listings).
func serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("filepath"), "/")
	b, err := fs.ReadFile(staticFS, path.Join("static", name))
	if name == "" || strings.Contains(name, "..") || err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}

// securityHeaders forbids framing, sniffing and scripts from elsewhere.
func (h *Handler) securityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; "+
		"style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	c.Next()
}

// readForm parses a posted form before anything reads it, so a body over
// the server's limit (one sent without a length; a declared one is refused
// before routing) or one that does not arrive in time is answered 413 or
// 408 instead of looking like an empty form.
func (h *Handler) readForm(c *gin.Context) {
	if c.Request.Method != http.MethodPost || c.FullPath() == "/media/upload" {
		c.Next()
		return
	}
	// ParseForm first: ParseMultipartForm answers ErrNotMultipart for a
	// urlencoded form and drops ParseForm's own error.
	err := c.Request.ParseForm()
	if ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); err == nil && ct == "multipart/form-data" {
		err = c.Request.ParseMultipartForm(32 << 10)
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case err == nil:
		c.Next()
	case errors.As(err, &mbe):
		c.Header("Connection", "close")
		h.errorPage(c, http.StatusRequestEntityTooLarge, h.l(c).T("err.toolarge", byteSize(mbe.Limit)))
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		c.Header("Connection", "close")
		h.errorPage(c, http.StatusRequestTimeout, h.l(c).T("err.timeout"))
	default:
		h.errorPage(c, http.StatusBadRequest, h.l(c).T("err.badrequest", h.l(c).T("err.badform")))
	}
}

// byteSize writes a limit as MiB or KiB when whole, with the bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d byte)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d byte)", n>>10, n)
	}
	return fmt.Sprintf("%d byte", n)
}

// loadSession reads the session cookie, if any, and the language.
func (h *Handler) loadSession(c *gin.Context) {
	lang := LangID
	if v, err := c.Cookie(langCookie); err == nil {
		lang = parseLang(v)
	}
	if q := c.Query("lang"); q != "" {
		lang = parseLang(q)
	}
	c.Set(ctxLang, lang)
	if id, err := c.Cookie(sessionCookie); err == nil && id != "" {
		s, err := h.sess.Get(c.Request.Context(), id)
		switch {
		case err == nil && s.Stage != auth.StageFull:
			// Half-way through sign-in: not signed in yet.
			c.Set(ctxPending, s)
		case err == nil:
			c.Set(ctxSession, s)
			if u, err := h.d.Org.Unit(c.Request.Context(), s.Principal.UnitID); err == nil {
				c.Set(ctxLoc, u.Location())
			}
			c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), s.Principal))
		case !errors.Is(err, auth.ErrNoSession):
			h.fail(c, err)
			return
		}
	}
	c.Next()
}

// anySession is the signed-in or half-way session.
func anySession(c *gin.Context) (Session, bool) {
	if s, ok := session(c); ok {
		return s, true
	}
	v, ok := c.Get(ctxPending)
	if !ok {
		return Session{}, false
	}
	s, ok := v.(Session)
	return s, ok
}

// requireStage lets through a session at one of stages; others go where
// they belong.
func (h *Handler) requireStage(stages ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, ok := anySession(c)
		if ok && slices.Contains(stages, s.Stage) {
			if s.Stage != auth.StageFull {
				c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), s.Principal))
			}
			c.Next()
			return
		}
		h.sendToStage(c, s, ok)
		c.Abort()
	}
}

// sendToStage redirects a request to where its session stands: sign-in,
// the second factor, enrolment, or the calendar.
func (h *Handler) sendToStage(c *gin.Context, s Session, ok bool) {
	switch {
	case !ok:
		c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	case s.Stage == auth.StageTOTP:
		c.Redirect(http.StatusSeeOther, "/signin/2fa")
	case s.Stage == auth.StageEnrol:
		c.Redirect(http.StatusSeeOther, "/account/2fa")
	default:
		c.Redirect(http.StatusSeeOther, startPage(s.Principal.Role))
	}
}

// checkAnyCSRF is checkCSRF for any session, half-way ones included.
func (h *Handler) checkAnyCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	s, _ := anySession(c)
	if !validCSRF(s.CSRF, c.PostForm(csrfField)) {
		h.errorPage(c, http.StatusForbidden, h.l(c).T("err.csrf"))
		return
	}
	c.Next()
}

func session(c *gin.Context) (Session, bool) {
	v, ok := c.Get(ctxSession)
	if !ok {
		return Session{}, false
	}
	s, ok := v.(Session)
	return s, ok
}

// requireSession sends visitors without a session to the sign-in page
// (and those half-way through it to its next step).
func (h *Handler) requireSession(c *gin.Context) {
	if _, ok := session(c); !ok {
		s, pending := anySession(c)
		h.sendToStage(c, s, pending)
		c.Abort()
		return
	}
	c.Next()
}

// checkCSRF rejects a state-changing request whose form token does not
// match the session's.
func (h *Handler) checkCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	s, _ := session(c)
	tok := c.GetHeader("X-CSRF-Token")
	if tok == "" {
		tok = c.PostForm(csrfField)
	}
	if !validCSRF(s.CSRF, tok) {
		h.errorPage(c, http.StatusForbidden, h.l(c).T("err.csrf"))
		return
	}
	c.Next()
}

// requireRole answers 403 unless the user has one of roles.
func (h *Handler) requireRole(roles ...auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, _ := session(c)
		if !slices.Contains(roles, s.Principal.Role) {
			l := h.l(c)
			names := make([]string, len(roles))
			for i, r := range roles {
				names[i] = l.T("role." + string(r))
			}
			h.errorPage(c, http.StatusForbidden, l.T("err.forbidden", strings.Join(names, " / "), l.T("role."+string(s.Principal.Role))))
			return
		}
		c.Next()
	}
}

// l is the request's localizer.
func (h *Handler) l(c *gin.Context) L {
	lang := LangID
	if v, ok := c.Get(ctxLang); ok {
		lang, _ = v.(Lang)
	}
	loc := h.d.Location
	if v, ok := c.Get(ctxLoc); ok {
		if z, ok := v.(*time.Location); ok && z != nil {
			loc = z
		}
	}
	return L{Lang: lang, Loc: loc}
}

var flashKeys = map[string]bool{"media.uploaded": true, "media.uploaded.n": true, "media.deleted": true, "compose.saved": true, "compose.submitted": true, "appr.approved": true, "appr.rejected": true,
	"appr.classified": true, "post.canceled": true, "acct.pw.changed": true, "acct.totp.off": true, "acct.token.revoked": true,
	"adm.unit.saved": true, "adm.unit.created": true, "adm.user.saved": true, "adm.user.disabled": true, "adm.user.totp.done": true,
	"adm.token.revoked": true, "setup.done": true, "acct.others.out": true, "acct.recovery.used": true, "acct.totp.on": true,
	"sub.added": true, "sub.removed": true, "sub.retried": true, "lh.saved": true,
	"inbox.reply.sent": true, "inbox.reply.waiting": true, "inbox.hidden": true, "inbox.shown": true, "inbox.assigned": true, "inbox.saved": true,
	"agenda.added": true, "agenda.imported": true,
	"ppid.created": true, "ppid.extended": true, "ppid.answered": true, "ppid.refused": true,
	"adm.ch.checked": true, "adm.ch.renamed": true, "adm.ch.moved": true, "adm.ch.disconnected": true,
	"ntf.allread": true, "ntf.prefs.saved": true, "ntf.resent": true}

// landing is where a signed-in user starts: a division head (viewer) on
// the report, everyone else on the calendar.
func landing(c *gin.Context) string {
	s, ok := session(c)
	if !ok {
		return "/signin"
	}
	return startPage(s.Principal.Role)
}

// startPage is where a role starts after signing in.
func startPage(r auth.Role) string {
	if r == auth.RoleViewer {
		return "/report" // a division head reads the report, not the calendar
	}
	return "/calendar"
}

// view is what every page template receives.
type view struct {
	L        L
	User     auth.Principal
	SignedIn bool
	// Pending: half-way through sign-in (second factor or enrolment).
	Pending bool
	CSRF    string
	Title   string
	Nav     string
	Path    string
	Flash   string
	Error   string
	Data    any
	// HasInbox, HasPPID, HasAgenda: those pages are served.
	HasInbox, HasPPID, HasAgenda bool
	// Notices: notifications are on; Unread is the signed-in person's
	// unread count (the header's badge).
	Notices bool
	Unread  int
}

func (v view) Can(role ...string) bool {
	return slices.Contains(role, string(v.User.Role))
}

func (h *Handler) view(c *gin.Context, title, nav string, data any) view {
	s, ok := session(c)
	v := view{L: h.l(c), User: s.Principal, SignedIn: ok, CSRF: s.CSRF, Title: title, Nav: nav,
		Path: c.Request.URL.RequestURI(), Data: data, HasInbox: h.d.Inbox != nil, HasPPID: h.d.Inbox != nil && h.d.PPID != nil,
		HasAgenda: h.d.Agenda != nil}
	if p, pending := anySession(c); !ok && pending {
		v.Pending, v.CSRF, v.User = true, p.CSRF, p.Principal
	}
	if ok && h.d.Notices != nil {
		v.Notices = true
		n, err := h.d.Notices.Unread(c.Request.Context(), s.Principal.UserID)
		if err != nil {
			h.log.WarnContext(c.Request.Context(), "unread notifications", "err", err)
		}
		v.Unread = n
	}
	// Flash messages come from a fixed list, never from the URL's text.
	if key := c.Query("ok"); flashKeys[key] {
		v.Flash = v.L.T(key)
		if strings.Contains(v.Flash, "%d") {
			v.Flash = v.L.T(key, parseID(c.Query("n")))
		}
	}
	return v
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (h *Handler) render(c *gin.Context, status int, page string, v view) {
	t, ok := h.pages[page]
	if !ok {
		h.fail(c, fmt.Errorf("web: no template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.fail(c, fmt.Errorf("web: render %s: %w", page, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage answers status with a message page.
func (h *Handler) errorPage(c *gin.Context, status int, msg string) {
	v := h.view(c, h.l(c).T("err.title"), "", nil)
	v.Error = msg
	v.Flash = ""
	t := h.pages["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", v) != nil {
		c.AbortWithStatus(status)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// scopeError answers a list, calendar or report of a unit the user may
// not see (403 naming it), or fails.
func (h *Handler) scopeError(c *gin.Context, err error) {
	var ae *ActionError
	if errors.As(mapSchedulerErr(err), &ae) {
		h.errorPage(c, ae.Status, h.l(c).Pick(ae.MessageID, ae.Message))
		return
	}
	h.fail(c, err)
}

// fail logs err and answers a 500 page that says nothing about internals.
func (h *Handler) fail(c *gin.Context, err error) {
	h.log.ErrorContext(c.Request.Context(), "web page failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
	h.errorPage(c, http.StatusInternalServerError, h.l(c).T("err.internal"))
}

// localPath keeps redirects on this site. It answers p cleaned (path
// and query) when p is a path of this site, and fallback otherwise:
// anything with a scheme or host, "//host", a backslash anywhere (browsers
// read "/\host" as "//host"), control characters (browsers drop tabs and
// newlines, so "/\t/host" becomes "//host") and percent-encoded slashes or
// backslashes, which a second decoding would turn into those.
func localPath(p, fallback string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || hasUnsafeByte(p) {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	raw := strings.ToLower(u.EscapedPath())
	if hasUnsafeByte(u.Path) || strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return fallback
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return fallback
	}
	out := (&url.URL{Path: clean, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || hasUnsafeByte(out) {
		return fallback
	}
	return out
}

// hasUnsafeByte reports a backslash or a control character.
func hasUnsafeByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b == '\\' || b < 0x20 || b == 0x7f {
			return true
		}
	}
	return false
}

func (h *Handler) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.d.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// setLang remembers the language and goes back to the page.
func (h *Handler) setLang(c *gin.Context) {
	h.setCookie(c, langCookie, string(parseLang(c.Param("lang"))), 365*24*3600)
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next"), "/calendar"))
}
