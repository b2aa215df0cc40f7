package graphsim

import (
	"fmt"
	"maps"
	"sort"
	"time"
)

// Default follower counts of new accounts.
const (
	DefaultPageFollowers = 5000
	DefaultIGFollowers   = 3000
)

// Now is the simulator's current time.
func (s *Sim) Now() time.Time { return s.now() }

// AddPage registers a Facebook Page and its Page access token. Without perms
// the token gets DefaultPagePerms (which include the Instagram permissions
// for a linked account).
func (s *Sim) AddPage(id, name, tok string, perms ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects[id]; ok {
		return fmt.Errorf("graphsim: object %s already exists", id)
	}
	pg := &page{id: id, name: name, followers0: DefaultPageFollowers, since: s.now()}
	s.pages[id] = pg
	s.objects[id] = object{kind: kPage, owner: id}
	return s.addToken(tok, id, time.Time{}, perms)
}

// AddToken registers another token for a Page (e.g. one missing a permission).
func (s *Sim) AddToken(tok, pageID string, expiresAt time.Time, perms ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pages[pageID]; !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	return s.addToken(tok, pageID, expiresAt, perms)
}

func (s *Sim) addToken(tok, pageID string, expiresAt time.Time, perms []string) error {
	if tok == "" {
		return fmt.Errorf("graphsim: empty token for page %s", pageID)
	}
	if _, ok := s.tokens[tok]; ok {
		return fmt.Errorf("graphsim: token already registered")
	}
	if len(perms) == 0 {
		perms = defaultPagePerms
	}
	t := &token{value: tok, kind: tokPage, pageID: pageID, perms: map[string]bool{}, issuedAt: s.now(), expiresAt: expiresAt}
	for _, p := range perms {
		t.perms[p] = true
	}
	s.tokens[tok] = t
	return nil
}

// AddIGAccount registers an Instagram professional account linked to a Page;
// the Page's tokens reach it (Facebook Login).
func (s *Sim) AddIGAccount(id, username, pageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg, ok := s.pages[pageID]
	if !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	if _, ok := s.objects[id]; ok {
		return fmt.Errorf("graphsim: object %s already exists", id)
	}
	s.igs[id] = &igAccount{id: id, username: username, pageID: pageID, followers0: DefaultIGFollowers, since: s.now()}
	s.objects[id] = object{kind: kIG, owner: id}
	pg.igID = id
	return nil
}

// SetFollowers sets a Page's or IG account's follower count as of now
// (it keeps growing slowly from there).
func (s *Sim) SetFollowers(objectID string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if pg, ok := s.pages[objectID]; ok {
		pg.followers0, pg.since = float64(n), now
		return nil
	}
	if ig, ok := s.igs[objectID]; ok {
		ig.followers0, ig.since = float64(n), now
		return nil
	}
	return fmt.Errorf("graphsim: no account %s", objectID)
}

// ExpireToken makes a token expire at `at` (190/463 from then on).
func (s *Sim) ExpireToken(tok string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	if !ok {
		return fmt.Errorf("graphsim: unknown token")
	}
	t.expiresAt = at
	return nil
}

// SetThrottle throttles an object (a Page or IG account id; "app" for the
// app) until `until`: calls answer 80001/80002 (or 4 for the app) with the
// regain time in X-Business-Use-Case-Usage.
func (s *Sim) SetThrottle(objectID string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usageOf(objectID).forcedUntil = until
}

// CallStats counts the calls served, as Meta's rate limiting counts them:
// each batch entry and each ids= id is one call.
type CallStats struct {
	Total        int
	ByEndpoint   map[string]int
	HTTPRequests int // HTTP requests received (a batch is one)
	// Faults counts the failures injected, by kind (FaultKind.String, and
	// "media_fetch" for Quirks.MediaFetchFailRate).
	Faults map[string]int
}

// Calls returns the calls served so far.
func (s *Sim) Calls() CallStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := CallStats{ByEndpoint: maps.Clone(s.calls), HTTPRequests: s.httpRequests, Faults: maps.Clone(s.faultCount)}
	for _, n := range s.calls {
		st.Total += n
	}
	return st
}

// ResetCalls zeroes the call counters.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.faultCount = map[string]int{}
	s.httpRequests = 0
}

// Item is a post or media as the simulator holds it.
type Item struct {
	ID        string
	Kind      string // text, link, photo, album, video | image, carousel, reel, story
	Text      string // message or caption
	Created   time.Time
	Scheduled bool
}

// Published lists everything published on a Page or IG account (scheduled
// posts included, carousel children excluded), oldest first.
func (s *Sim) Published(objectID string) []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Item
	if pg, ok := s.pages[objectID]; ok {
		for _, p := range pg.posts {
			if !p.unpublished {
				out = append(out, Item{ID: p.id, Kind: p.kind, Text: p.message, Created: p.created, Scheduled: p.scheduled})
			}
		}
	}
	if ig, ok := s.igs[objectID]; ok {
		for _, m := range ig.media {
			out = append(out, Item{ID: m.id, Kind: m.kind, Text: m.caption, Created: m.created})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// PublishedCount is len(Published(objectID)).
func (s *Sim) PublishedCount(objectID string) int { return len(s.Published(objectID)) }

// CountText counts the items on an account whose text equals text (to check
// that nothing was published twice).
func (s *Sim) CountText(objectID, text string) int {
	n := 0
	for _, it := range s.Published(objectID) {
		if it.Text == text {
			n++
		}
	}
	return n
}

// PostCounts is what the simulator serves now for one published post or
// media item: reach, views, clicks, reactions (total), likes, comments,
// shares and saves. Tests use it as the independent truth to compare
// reports with. ok is false when objectID has no such item.
func (s *Sim) PostCounts(objectID, itemID string) (counts map[string]int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var f figures
	switch {
	case s.pages[objectID] != nil:
		var p *post
		for _, c := range s.pages[objectID].posts {
			if c.id == itemID {
				p = c
			}
		}
		if p == nil {
			return nil, false
		}
		f = s.audience(p.id, p.kind, p.created, p.followers, now)
	case s.igs[objectID] != nil:
		var m *media
		for _, c := range s.igs[objectID].media {
			if c.id == itemID {
				m = c
			}
		}
		if m == nil {
			return nil, false
		}
		f = s.audience(m.id, m.kind, m.created, m.followers, now)
	default:
		return nil, false
	}
	return map[string]int64{
		"reach": f.reach, "views": f.views, "clicks": f.clicks, "reactions": f.reactionTotal(),
		"likes": f.likes, "comments": f.comments + int64(s.extraComments[itemID]), "shares": f.shares, "saves": f.saved,
	}, true
}
