package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/valid"
)

// TokenChecker checks an access token pasted for a channel before it is
// stored (on connect and on token replacement): Meta's debug_token must
// find it valid, of humas's app, a Page token of the channel's Page (or of
// the Page its Instagram account is linked to) or a Business Manager
// system-user token with access to it (the Page token is then derived and
// stored), with the permissions of every function of the channel.
type TokenChecker struct {
	graph *meta.Client
}

// NewTokenChecker returns a checker asking Meta through graph.
func NewTokenChecker(graph *meta.Client) *TokenChecker { return &TokenChecker{graph: graph} }

// Check returns the token to store for a channel of platform and external
// id, or an error: valid.Errors on access_token saying precisely what is
// wrong (HTTP 422), or a failure to reach Meta.
func (t *TokenChecker) Check(ctx context.Context, platform, externalID, token string) (string, error) {
	ct, err := t.graph.CheckChannelToken(ctx, token, platform, externalID)
	var tp *meta.TokenProblem
	if errors.As(err, &tp) {
		en, id := TokenProblemText(tp, t.graph.AppID())
		return "", valid.Errors{{Field: "access_token", Message: en, MessageID: id}}
	}
	if err != nil {
		return "", valid.Errors{{Field: "access_token",
			Message:   "Meta could not be asked about this token (" + err.Error() + "); try again in a few minutes",
			MessageID: "Meta tidak dapat ditanya tentang token ini (" + err.Error() + "); coba lagi beberapa menit lagi"}}
	}
	return ct.Token, nil
}

var functionNames = map[meta.Function][2]string{
	meta.FuncPagePublish:  {"publishing to the Page", "memposting ke Page"},
	meta.FuncPageInsights: {"reading the Page's insights", "membaca insight Page"},
	meta.FuncIGPublish:    {"publishing to Instagram", "memposting ke Instagram"},
	meta.FuncIGInsights:   {"reading Instagram insights", "membaca insight Instagram"},
}

// TokenProblemText says what is wrong with a token, in English and Bahasa
// Indonesia, for staff (appID is humas's app).
func TokenProblemText(tp *meta.TokenProblem, appID string) (en, id string) {
	switch tp.Kind {
	case meta.TokenInvalid:
		return "Meta says this access token is not valid (" + tp.Detail + "): make a new one and paste it",
			"Meta menyatakan token akses ini tidak berlaku (" + tp.Detail + "): buat token baru lalu tempel di sini"
	case meta.TokenOtherApp:
		return fmt.Sprintf("this access token belongs to another app (app id %s), not to humas's app (%s): make the token with humas's app", tp.AppID, appID),
			fmt.Sprintf("token akses ini milik aplikasi lain (app id %s), bukan aplikasi humas (%s): buat token dengan aplikasi humas", tp.AppID, appID)
	case meta.TokenWrongType:
		return fmt.Sprintf("a %s token cannot publish as a Page: paste a Page access token or a Business Manager system-user token", tp.Type),
			fmt.Sprintf("token %s tidak dapat memposting sebagai Page: tempel token akses Page atau token system user Business Manager", tp.Type)
	case meta.TokenWrongPage:
		return fmt.Sprintf("this is the Page token of Page %s, not of Page %s: make the token on the right Page", tp.ProfileID, tp.PageID),
			fmt.Sprintf("ini token Page %s, bukan token Page %s: buat token pada Page yang benar", tp.ProfileID, tp.PageID)
	case meta.TokenNotLinked:
		return fmt.Sprintf("the Instagram account is not linked to the token's Page %s: link it in Meta Business Suite or use the token of its Page", tp.PageID),
			fmt.Sprintf("akun Instagram ini tidak terhubung ke Page token ini (%s): hubungkan di Meta Business Suite atau gunakan token Page-nya", tp.PageID)
	case meta.TokenNoPage:
		return fmt.Sprintf("the system user has no access to Page %s: assign the Page to it in Business Manager", tp.PageID),
			fmt.Sprintf("system user tidak punya akses ke Page %s: tetapkan Page itu untuknya di Business Manager", tp.PageID)
	case meta.TokenMissingPerms:
		var fs []meta.Function
		for f := range tp.Missing {
			fs = append(fs, f)
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i] < fs[j] })
		var en, id []string
		for _, f := range fs {
			perms := strings.ReplaceAll(strings.Join(tp.Missing[f], ", "), "|", " or ")
			en = append(en, functionNames[f][0]+" needs "+perms)
			id = append(id, functionNames[f][1]+" memerlukan "+strings.ReplaceAll(perms, " or ", " atau "))
		}
		return "the token lacks permissions: " + strings.Join(en, "; ") + "; grant them to humas's app and make the token again",
			"token tidak memiliki izin: " + strings.Join(id, "; ") + "; berikan izin itu ke aplikasi humas lalu buat token lagi"
	case meta.TokenNoAppSecret:
		return "humas cannot check tokens: set graph.app_id and graph.app_secret (HUMAS_APP_ID, HUMAS_APP_SECRET)",
			"humas tidak dapat memeriksa token: isi graph.app_id dan graph.app_secret (HUMAS_APP_ID, HUMAS_APP_SECRET)"
	}
	return tp.Error(), tp.Error()
}
