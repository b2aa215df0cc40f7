package graphsim

import (
	"fmt"
	"time"
)

// SetMediaFile tells the simulator the shape of the file at url (as if it
// had downloaded it): a Page video of height > width and at most 90 s is
// vertical and short, which matters with Quirks.VerticalVideoAsReelDraft.
func (s *Sim) SetMediaFile(url string, width, height int, duration time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]mediaFile{}
	}
	s.files[url] = mediaFile{width: width, height: height, duration: duration}
}

// shortVertical reports whether the file at url is a vertical video of at
// most 90 s (a Reel by Meta's specs). Lock held.
func (s *Sim) shortVertical(url string) bool {
	f, ok := s.files[url]
	return ok && f.height > f.width && f.duration > 0 && f.duration <= 90*time.Second
}

// Policy blocks, as Meta answers them.
const (
	// BlockPostingRate is code 368 / subcode 1390008: the Page posted too
	// fast and is blocked from posting for a while.
	BlockPostingRate = 368
	// BlockSpam is code 4 / subcode 2207051: Instagram restricts the
	// account's activity ("We restrict certain activity to protect our
	// community").
	BlockSpam = 4
)

// SetPolicyBlock blocks publishing on a Page or IG account until `until`:
// every publishing write answers the block's error (BlockPostingRate or
// BlockSpam), reads go on. A zero until lifts it.
func (s *Sim) SetPolicyBlock(objectID string, code int, until time.Time) error {
	if code != BlockPostingRate && code != BlockSpam {
		return fmt.Errorf("graphsim: unknown policy block %d", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pg, ok := s.pages[objectID]; ok {
		pg.blockCode, pg.blockUntil = code, until
		return nil
	}
	if ig, ok := s.igs[objectID]; ok {
		ig.blockCode, ig.blockUntil = code, until
		return nil
	}
	return fmt.Errorf("graphsim: no account %s", objectID)
}

// policyBlock returns the block error for a publishing write on obj. Lock held.
func (s *Sim) policyBlock(o object, id string) *gErr {
	code, until := 0, time.Time{}
	switch o.kind {
	case kPage:
		code, until = s.pages[id].blockCode, s.pages[id].blockUntil
	case kIG:
		code, until = s.igs[id].blockCode, s.igs[id].blockUntil
	}
	if code == 0 || !s.now().Before(until) {
		return nil
	}
	if code == BlockSpam {
		return &gErr{status: 400, code: 4, subcode: 2207051, typ: "OAuthException",
			msg:       "Application request limit reached",
			userTitle: "Action is blocked",
			userMsg:   "We restrict certain activity to protect our community. Tell us if you think we made a mistake."}
	}
	return &gErr{status: 400, code: 368, subcode: 1390008, typ: "OAuthException",
		msg:       "It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it.",
		userTitle: "You Can't Use This Feature Right Now",
		userMsg:   "It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it."}
}

// SetConverted records when an Instagram account was converted to a
// professional account: media posted before have no insights, and asking
// for them (directly or by field expansion on /media) fails with code 100,
// subcode 2108006, as on Instagram.
func (s *Sim) SetConverted(igID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ig, ok := s.igs[igID]
	if !ok {
		return fmt.Errorf("graphsim: no IG account %s", igID)
	}
	ig.convertedAt = at
	return nil
}

func errConvertedBefore() *gErr {
	return &gErr{status: 400, code: 100, subcode: 2108006, typ: "OAuthException", msg: "Invalid parameter",
		userTitle: "Media Posted Before Business Account Conversion",
		userMsg:   "The media was posted before the most recent time that the user's account was converted to a business account from a personal account."}
}

// SetOversize makes a Page's listings (/posts, /feed, /published_posts)
// with insights fail with HTTP 500, code 1 "Please reduce the amount of
// data you're asking for, then retry your request" when a page of the
// answer would hold more than maxItems posts (0 lifts it).
func (s *Sim) SetOversize(pageID string, maxItems int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg, ok := s.pages[pageID]
	if !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	pg.oversize = maxItems
	return nil
}

func errReduceData() *gErr {
	return &gErr{status: 500, code: 1, typ: "OAuthException", transient: true,
		msg: "Please reduce the amount of data you're asking for, then retry your request"}
}

// AddSystemUser registers a Business Manager system-user token (it never
// expires) that reaches pageIDs (and their IG accounts) with perms
// (DefaultPagePerms when none). GET /{page}?fields=access_token with it
// answers the Page's token, derived from it.
func (s *Sim) AddSystemUser(tok string, pageIDs []string, perms ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range pageIDs {
		if _, ok := s.pages[p]; !ok {
			return fmt.Errorf("graphsim: no page %s", p)
		}
	}
	if err := s.addToken(tok, "", time.Time{}, perms); err != nil {
		return err
	}
	t := s.tokens[tok]
	t.kind, t.pages, t.viaBM = tokSystemUser, append([]string(nil), pageIDs...), true
	return nil
}

// AddForeignToken registers a Page token issued to another app (appID):
// calls signed with this app's appsecret_proof fail with "Invalid
// appsecret_proof provided in the API argument", and debug_token names the
// other app.
func (s *Sim) AddForeignToken(tok, pageID, appID string, perms ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pages[pageID]; !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	if err := s.addToken(tok, pageID, time.Time{}, perms); err != nil {
		return err
	}
	s.tokens[tok].appID = appID
	return nil
}

// derivedPageToken returns (registering it once) the Page token a system
// user's or a person's token yields for pageID. A person's Page token
// carries their tasks on the Page and, from a long-lived user token, never
// expires; from a short-lived one it expires with it. Lock held.
func (s *Sim) derivedPageToken(from *token, pageID string) string {
	if from.kind == tokPage {
		return from.value
	}
	v := "EAAderived" + pageID + fmt.Sprintf("%x", fnvHash(from.value))
	if _, ok := s.tokens[v]; !ok {
		t := &token{value: v, kind: tokPage, pageID: pageID, appID: from.appID, viaBM: from.viaBM, perms: map[string]bool{},
			issuedAt: s.now(), userID: from.userID}
		for p, ok := range from.perms {
			t.perms[p] = ok
		}
		if from.kind == tokUser {
			if p := s.login.people[from.userID]; p != nil {
				t.tasks = append([]string{}, p.pages[pageID]...)
			}
			if !from.longLived {
				t.expiresAt = from.expiresAt
			}
		}
		s.tokens[v] = t
	}
	return v
}

// SeedReels adds `days` days of Facebook Reels to a Page, perDay a day,
// published through the Reels flow: their posts are on the Page and their
// figures on /{video-id}/video_insights.
func (s *Sim) SeedReels(pageID string, days, perDay int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg, ok := s.pages[pageID]
	if !ok {
		return fmt.Errorf("graphsim: no page %s", pageID)
	}
	now := s.now()
	n := 0
	for d := days; d >= 1; d-- {
		day := now.In(jakarta).AddDate(0, 0, -d)
		base := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, jakarta)
		for k := 0; k < perDay; k++ {
			n++
			at := base.Add(time.Duration(seedHours[s.rng.IntN(len(seedHours))])*time.Hour + time.Duration(s.rng.IntN(60))*time.Minute)
			text := fmt.Sprintf("Reel %s (%s) #%d", seedTopics[s.rng.IntN(len(seedTopics))], at.Format("02/01/2006"), n)
			p := s.newPost(pg, fbVideo, text, "", at)
			v := &video{id: s.newID(), pageID: pg.id, description: text, created: at.Add(-s.opt.FBVideoReadyDelay), postID: p.id,
				reel: true, finished: true, fileURL: "https://cdn.example.org/reel/" + p.id + ".mp4"}
			s.videos[v.id] = v
			s.objects[v.id] = object{kind: kVideo, owner: pg.id}
			p.videoID, p.reel = v.id, true
		}
	}
	return nil
}
