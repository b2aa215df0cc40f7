// Package connect connects Facebook Pages and their Instagram accounts to
// offices, as an office's admin does it in the browser:
//
//   - "Hubungkan dengan Facebook": Facebook Login for Business. Begin
//     sends the browser to Meta's dialog with the permissions humas needs
//     (meta.LoginScopes) and a state bound to the admin's session (a random
//     flow id in an HttpOnly cookie; the state, the admin and the expiry
//     stay on the server; one use; compared in constant time). Finish
//     checks the answer, trades the code for a user token, makes it
//     long-lived (so the Pages' tokens do not expire), reads which
//     permissions were granted or declined and the Pages the person manages
//     with each Page's token, tasks and linked Instagram account.
//   - The alternative for institutions: a Business Manager system-user
//     token, pasted. FromSystemUser checks it (debug_token: valid, this
//     app's, a system user's) and lists the Pages it can manage; each
//     Page's token is derived when it is connected (meta.CheckChannelToken).
//
// Either way the result is an Offer kept on the server (tokens never reach
// the browser) from which the admin picks which Pages and Instagram
// accounts go to which office; Connect stores them (org.Connect: new,
// reconnected, or a disconnected channel brought back) and checks each
// token at once (the scheduler's token check).
package connect

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/valid"
)

// How a channel was connected (audited with it).
const (
	ViaFacebook   = "facebook_login"
	ViaSystemUser = "system_user"
)

// Checker checks a channel's token now (*scheduler.TokenChecks).
type Checker interface {
	Check(ctx context.Context, channelID int64) (org.Channel, error)
}

// Options configure a Service.
type Options struct {
	// RedirectURL is the callback registered in the Meta app
	// (<public_url>/admin/channels/facebook/callback).
	RedirectURL string
	Logger      *slog.Logger
	Now         func() time.Time
	// FlowTTL bounds a login at Facebook (default 10 minutes); OfferTTL
	// how long the Pages found wait to be picked (default 30 minutes).
	FlowTTL, OfferTTL time.Duration
}

// Service runs the connection flows.
type Service struct {
	graph  *meta.Client
	org    *org.Store
	checks Checker
	opt    Options

	mu     sync.Mutex
	flows  map[string]flow   // by hashed flow id
	offers map[string]*Offer // by hashed offer id
}

type flow struct {
	state     string
	userID    int64
	expires   time.Time
	rerequest bool
}

// maxPending bounds the flows and offers kept at once.
const maxPending = 1000

// New returns the service.
func New(graph *meta.Client, orgs *org.Store, checks Checker, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.FlowTTL <= 0 {
		opt.FlowTTL = 10 * time.Minute
	}
	if opt.OfferTTL <= 0 {
		opt.OfferTTL = 30 * time.Minute
	}
	return &Service{graph: graph, org: orgs, checks: checks, opt: opt, flows: map[string]flow{}, offers: map[string]*Offer{}}
}

// Ready reports whether humas has a Meta app to connect with
// (graph.app_id and graph.app_secret).
func (s *Service) Ready() bool { return s.graph.AppID() != "" }

// RedirectURL is the callback address to register in the Meta app.
func (s *Service) RedirectURL() string { return s.opt.RedirectURL }

// Scopes are the permissions Facebook Login asks for.
func (s *Service) Scopes() []string { return meta.LoginScopes() }

// Errors of a Facebook Login that did not work, each with its own text.
var (
	ErrNoFlow    = errors.New("no Facebook Login in progress in this browser (it expired after 10 minutes, or cookies are blocked)")
	ErrState     = errors.New("the answer from Facebook does not belong to this login (state mismatch)")
	ErrOtherUser = errors.New("this Facebook Login was started by another humas user")
	ErrDenied    = errors.New("the Facebook Login was cancelled, or the permissions were refused")
	ErrNoOffer   = errors.New("the Pages found have expired (after 30 minutes) or were connected already: connect again")
	ErrNoApp     = errors.New("humas has no Meta app: set graph.app_id and graph.app_secret (HUMAS_APP_ID, HUMAS_APP_SECRET)")
)

// MetaError is Meta refusing a step of the login (the code, the token
// exchange, the Page list), with Meta's reason.
type MetaError struct {
	Step string
	Err  error
}

func (e *MetaError) Error() string { return "Meta refused the " + e.Step + ": " + e.Err.Error() }
func (e *MetaError) Unwrap() error { return e.Err }

func (s *Service) sweep(now time.Time) {
	for k, f := range s.flows {
		if !now.Before(f.expires) {
			delete(s.flows, k)
		}
	}
	for k, o := range s.offers {
		if !now.Before(o.Expires) {
			delete(s.offers, k)
		}
	}
}

// Begin starts Facebook Login for a signed-in admin: it returns the flow
// id (for an HttpOnly cookie) and the dialog's address. rerequest asks
// Facebook to ask again for permissions declined before.
func (s *Service) Begin(userID int64, rerequest bool) (flowID, dialogURL string, err error) {
	if s.graph.AppID() == "" {
		return "", "", ErrNoApp
	}
	var vals [2]string
	for i := range vals {
		if vals[i], err = auth.RandomToken(); err != nil {
			return "", "", err
		}
	}
	flowID, state := vals[0], vals[1]
	now := s.opt.Now()
	s.mu.Lock()
	s.sweep(now)
	if len(s.flows) >= maxPending {
		s.mu.Unlock()
		return "", "", errors.New("connect: too many Facebook Logins in progress; try again in a few minutes")
	}
	s.flows[auth.HashID(flowID)] = flow{state: state, userID: userID, expires: now.Add(s.opt.FlowTTL), rerequest: rerequest}
	s.mu.Unlock()
	return flowID, s.graph.LoginURL(s.opt.RedirectURL, state, meta.LoginScopes(), rerequest), nil
}

// Finish completes Facebook Login with the dialog's answer (its state,
// code, or error): the flow is used up whatever happens; it must be the
// same admin's and the state must match. It returns the offer of the
// Pages found (possibly none) and its id.
func (s *Service) Finish(ctx context.Context, flowID string, userID int64, state, code, errParam string) (string, *Offer, error) {
	if flowID == "" {
		return "", nil, ErrNoFlow
	}
	now := s.opt.Now()
	s.mu.Lock()
	key := auth.HashID(flowID)
	f, ok := s.flows[key]
	delete(s.flows, key)
	s.mu.Unlock()
	if !ok || !now.Before(f.expires) {
		return "", nil, ErrNoFlow
	}
	if f.userID != userID {
		return "", nil, ErrOtherUser
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.state)) != 1 {
		return "", nil, ErrState
	}
	if errParam != "" {
		return "", nil, fmt.Errorf("%w (%s)", ErrDenied, errParam)
	}
	if code == "" {
		return "", nil, fmt.Errorf("%w (no code)", ErrDenied)
	}
	short, err := s.graph.ExchangeCode(ctx, code, s.opt.RedirectURL)
	if err != nil {
		return "", nil, &MetaError{Step: "code", Err: err}
	}
	long, err := s.graph.LongLivedToken(ctx, short.Token)
	if err != nil {
		return "", nil, &MetaError{Step: "long-lived token", Err: err}
	}
	granted, declined, err := s.graph.Permissions(ctx, long.Token)
	if err != nil {
		return "", nil, &MetaError{Step: "permission list", Err: err}
	}
	pages, err := s.graph.ManagedPages(ctx, long.Token)
	if err != nil {
		return "", nil, &MetaError{Step: "Page list", Err: err}
	}
	o := &Offer{UserID: userID, Via: ViaFacebook, Granted: granted, Declined: declined, TokenExpires: long.ExpiresAt}
	for _, p := range meta.LoginScopes() {
		if !slices.Contains(granted, p) {
			o.Missing = append(o.Missing, p)
		}
	}
	for _, p := range pages {
		o.Pages = append(o.Pages, OfferPage{ID: p.ID, Name: p.Name, Tasks: p.Tasks, CanPublish: p.CanPublish(), Instagram: p.Instagram, token: p.AccessToken})
	}
	id, err := s.keep(ctx, o)
	return id, o, err
}

// FromSystemUser checks a pasted Business Manager system-user token and
// offers the Pages it can manage. A token Meta does not accept (made up,
// expired, another app's, not a system user's) is valid.Errors on the
// field "token" saying why.
func (s *Service) FromSystemUser(ctx context.Context, userID int64, token string) (string, *Offer, error) {
	token = strings.TrimSpace(token)
	refuse := func(en, id string) (string, *Offer, error) {
		return "", nil, valid.Errors{{Field: "token", Message: en, MessageID: id}}
	}
	if token == "" {
		return refuse("paste the system user's access token", "tempel token akses system user")
	}
	if strings.ContainsAny(token, " \t\r\n") || len(token) > 2048 {
		return refuse("an access token is one word of letters and digits, as Business Manager shows it", "token akses adalah satu kata berisi huruf dan angka, seperti yang ditampilkan Business Manager")
	}
	if s.graph.AppID() == "" {
		return "", nil, ErrNoApp
	}
	info, err := s.graph.DebugToken(ctx, token)
	if err != nil {
		return refuse("Meta could not be asked about this token ("+err.Error()+"); try again in a few minutes",
			"Meta tidak dapat ditanya tentang token ini ("+err.Error()+"); coba lagi beberapa menit lagi")
	}
	switch {
	case !info.Valid:
		why := info.ErrorMessage
		if why == "" {
			why = "Meta says it is not valid"
		}
		return refuse("Meta says this token is not valid ("+why+"): generate a new system-user token in Business Manager and paste it",
			"Meta menyatakan token ini tidak berlaku ("+why+"): buat token system user baru di Business Manager lalu tempel di sini")
	case info.AppID != s.graph.AppID():
		return refuse(fmt.Sprintf("this token belongs to another app (app id %s), not to humas's app (%s): generate it for humas's app", info.AppID, s.graph.AppID()),
			fmt.Sprintf("token ini milik aplikasi lain (app id %s), bukan aplikasi humas (%s): buat token untuk aplikasi humas", info.AppID, s.graph.AppID()))
	case info.Type == "USER":
		return refuse("this is a person's token, not a system user's: use \"Connect with Facebook\" instead",
			"ini token milik seseorang, bukan token system user: gunakan \"Hubungkan dengan Facebook\"")
	case info.Type == "PAGE":
		return refuse("this is a Page token, not a system user's: paste the system user's token (Business Manager → System users → Generate token)",
			"ini token Page, bukan token system user: tempel token system user (Business Manager → Pengguna sistem → Buat token)")
	case info.Type != "SYSTEM_USER":
		return refuse(fmt.Sprintf("a %s token cannot manage Pages: paste a system user's token", info.Type),
			fmt.Sprintf("token %s tidak dapat mengelola Page: tempel token system user", info.Type))
	}
	pages, err := s.graph.ManagedPages(ctx, token)
	if err != nil {
		return "", nil, &MetaError{Step: "Page list", Err: err}
	}
	o := &Offer{UserID: userID, Via: ViaSystemUser, Granted: info.Scopes, TokenExpires: info.ExpiresAt}
	for _, p := range meta.LoginScopes() {
		if !slices.Contains(info.Scopes, p) {
			o.Missing = append(o.Missing, p)
		}
	}
	for _, p := range pages {
		// The Page token is derived from the system user's at connect
		// time (meta.CheckChannelToken), as a pasted token always was.
		o.Pages = append(o.Pages, OfferPage{ID: p.ID, Name: p.Name, Tasks: p.Tasks, CanPublish: p.CanPublish(), Instagram: p.Instagram, token: token})
	}
	id, err := s.keep(ctx, o)
	return id, o, err
}

// keep stores an offer and returns its id; it also notes which of its
// Pages and accounts are connected already.
func (s *Service) keep(ctx context.Context, o *Offer) (string, error) {
	for i := range o.Pages {
		p := &o.Pages[i]
		if c, err := s.org.ChannelByExternalID(ctx, org.Facebook, p.ID); err == nil {
			p.FBChannel = &c
		} else if !errors.Is(err, org.ErrNotFound) {
			return "", err
		}
		if p.Instagram != nil {
			if c, err := s.org.ChannelByExternalID(ctx, org.Instagram, p.Instagram.ID); err == nil {
				p.IGChannel = &c
			} else if !errors.Is(err, org.ErrNotFound) {
				return "", err
			}
		}
	}
	id, err := auth.RandomToken()
	if err != nil {
		return "", err
	}
	now := s.opt.Now()
	o.Expires = now.Add(s.opt.OfferTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if len(s.offers) >= maxPending {
		return "", errors.New("connect: too many connections in progress; try again in a few minutes")
	}
	s.offers[auth.HashID(id)] = o
	return id, nil
}

// Offer returns an admin's offer (ErrNoOffer when it expired, was used,
// or is another admin's).
func (s *Service) Offer(offerID string, userID int64) (*Offer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.offers[auth.HashID(offerID)]
	if !ok || o.UserID != userID || !s.opt.Now().Before(o.Expires) {
		return nil, ErrNoOffer
	}
	return o, nil
}

// Offer is what a login or a system-user token can connect.
type Offer struct {
	UserID int64
	Via    string
	Pages  []OfferPage
	// Granted and Declined are the permissions the person granted and
	// declined in the dialog; Missing those humas asks for and lacks.
	Granted, Declined, Missing []string
	// TokenExpires is when the user (or system-user) token expires; the
	// Page tokens of a long-lived user token do not.
	TokenExpires time.Time
	Expires      time.Time
}

// OfferPage is a Page of an offer, with its Instagram account.
type OfferPage struct {
	ID, Name   string
	Tasks      []string
	CanPublish bool
	Instagram  *meta.InstagramAccount
	// FBChannel and IGChannel are the channels already connected for the
	// Page and its Instagram account (nil: none).
	FBChannel, IGChannel *org.Channel
	token                string
}

// Pick is an admin's choice for one Page of an offer: the office its
// Facebook channel goes to and the office its Instagram account goes to
// (0: not connected).
type Pick struct {
	PageID         string
	FBUnit, IGUnit int64
}

// Result is what connecting one Page or Instagram account did.
type Result struct {
	Platform, ExternalID, Name string
	// Outcome is org.ConnectCreated, ConnectRevived or ConnectReplaced;
	// "" when refused (Refusal says why) .
	Outcome string
	Channel org.Channel
	// Health is the token check's verdict, made at once.
	Health org.Health
	// Refusal is why it was not connected (both languages).
	Refusal *valid.FieldError
	// CheckErr: Meta could not be asked; the channel is connected but
	// unchecked.
	CheckErr error
}

// Connect connects the picked Pages and Instagram accounts of an offer to
// their offices and checks each token at once. allowed says whether the
// admin may put a channel in a unit (and may move one out of it): a
// channel already connected to a unit outside the admin's is refused. The
// offer is used up.
func (s *Service) Connect(ctx context.Context, offerID string, userID int64, picks []Pick, allowed func(unitID int64) bool) ([]Result, error) {
	o, err := s.Offer(offerID, userID)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, pk := range picks {
		i := slices.IndexFunc(o.Pages, func(p OfferPage) bool { return p.ID == pk.PageID })
		if i < 0 {
			return nil, valid.Errors{{Field: "page", Message: "Page " + pk.PageID + " is not among the Pages found",
				MessageID: "Page " + pk.PageID + " tidak termasuk Page yang ditemukan"}}
		}
		p := o.Pages[i]
		if pk.FBUnit != 0 {
			out = append(out, s.connectOne(ctx, o, p, org.Facebook, p.ID, p.Name, pk.FBUnit, p.FBChannel, allowed))
		}
		if pk.IGUnit != 0 && p.Instagram != nil {
			name := "@" + p.Instagram.Username
			if p.Instagram.Username == "" {
				name = "Instagram " + p.Instagram.ID
			}
			out = append(out, s.connectOne(ctx, o, p, org.Instagram, p.Instagram.ID, name, pk.IGUnit, p.IGChannel, allowed))
		}
	}
	s.mu.Lock()
	delete(s.offers, auth.HashID(offerID))
	s.mu.Unlock()
	return out, nil
}

func (s *Service) connectOne(ctx context.Context, o *Offer, p OfferPage, platform, externalID, name string, unit int64,
	existing *org.Channel, allowed func(int64) bool) Result {
	r := Result{Platform: platform, ExternalID: externalID, Name: name}
	refuse := func(en, id string) Result {
		r.Refusal = &valid.FieldError{Field: platform + ":" + externalID, Message: en, MessageID: id}
		return r
	}
	if !allowed(unit) {
		return refuse("that office is not yours or below it", "kantor itu bukan kantor Anda atau di bawahnya")
	}
	if existing != nil {
		if cur, err := s.org.ChannelByExternalID(ctx, platform, externalID); err == nil && !allowed(cur.UnitID) {
			return refuse("it is connected to an office outside yours already; that office's admin can reconnect it",
				"sudah terhubung ke kantor di luar wewenang Anda; admin kantor itu yang dapat menghubungkannya ulang")
		}
	}
	if platform == org.Facebook && !p.CanPublish {
		return refuse("your tasks on this Page ("+strings.Join(p.Tasks, ", ")+") do not include creating content: ask a Page admin for full control, or let them connect it",
			"peran Anda di Page ini ("+strings.Join(p.Tasks, ", ")+") tidak mencakup membuat konten: minta kendali penuh ke admin Page, atau minta mereka yang menghubungkannya")
	}
	ct, err := s.graph.CheckChannelToken(ctx, p.token, platform, externalID)
	var tp *meta.TokenProblem
	switch {
	case errors.As(err, &tp) && tp.Kind != meta.TokenMissingPerms:
		en, id := scheduler.TokenProblemText(tp, s.graph.AppID())
		return refuse(en, id)
	case err != nil && tp == nil:
		return refuse("Meta could not be asked about the token ("+err.Error()+"); try again in a few minutes",
			"Meta tidak dapat ditanya tentang token ini ("+err.Error()+"); coba lagi beberapa menit lagi")
	}
	// A token lacking permissions is connected all the same: the check
	// below names what is missing on the channels page ("izin kurang").
	c, outcome, err := s.org.Connect(ctx, org.ChannelInput{UnitID: unit, Platform: platform, ExternalID: externalID, Name: name,
		AccessToken: ct.Token}, o.Via)
	if err != nil {
		if fe, ok := valid.Fields(err); ok && len(fe) > 0 {
			return refuse(fe[0].Message, fe[0].MessageID)
		}
		return refuse("it could not be stored: "+err.Error(), "tidak dapat disimpan: "+err.Error())
	}
	r.Outcome, r.Channel = outcome, c
	s.opt.Logger.InfoContext(ctx, "channel connected", "channel_id", c.ID, "platform", platform, "external_id", externalID,
		"unit_id", unit, "via", o.Via, "outcome", outcome)
	if checked, err := s.checks.Check(ctx, c.ID); err != nil {
		r.CheckErr = err
		s.opt.Logger.WarnContext(ctx, "token check after connecting failed", "channel_id", c.ID, "err", err)
	} else {
		r.Channel = checked
	}
	r.Health = r.Channel.Health(s.opt.Now())
	return r
}
