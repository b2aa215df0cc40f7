package analytics

import "fmt"

// Definition states how a report's figures were computed.
type Definition struct {
	EN string `json:"en"`
	ID string `json:"id"`
}

var methodText = map[string][2]string{
	"reach": {
		"engagement_rate = Σ interactions ÷ Σ reach over posts with non-zero reach (ER by reach)",
		"engagement_rate = Σ interaksi ÷ Σ jangkauan atas postingan yang jangkauannya bukan nol (ER menurut jangkauan)",
	},
	"views": {
		"engagement_rate = Σ interactions ÷ Σ views over posts with non-zero views (ER by views)",
		"engagement_rate = Σ interaksi ÷ Σ tayangan atas postingan yang tayangannya bukan nol (ER menurut tayangan)",
	},
	"followers": {
		"engagement_rate = mean over posts of interactions ÷ followers of the account on the publish day (ER by followers; posts without a follower count are left out)",
		"engagement_rate = rata-rata per postingan dari interaksi ÷ pengikut akun pada hari terbit (ER menurut pengikut; postingan tanpa data pengikut tidak dihitung)",
	},
}

var ageText = map[string][2]string{
	"latest": {"each post counted once with its latest snapshot", "setiap postingan dihitung sekali dengan snapshot terbarunya"},
	"24h":    {"each post counted once with the snapshot nearest to 24 hours after publishing", "setiap postingan dihitung sekali dengan snapshot terdekat dengan 24 jam setelah terbit"},
	"7d":     {"each post counted once with the snapshot nearest to 7 days after publishing", "setiap postingan dihitung sekali dengan snapshot terdekat dengan 7 hari setelah terbit"},
	"28d":    {"each post counted once with the snapshot nearest to 28 days after publishing", "setiap postingan dihitung sekali dengan snapshot terdekat dengan 28 hari setelah terbit"},
}

func definition(method, age, tz string) Definition {
	m, a := methodText[method], ageText[age]
	return Definition{
		EN: fmt.Sprintf("Interactions: Facebook reactions + comments + shares; Instagram likes + comments + shares + saves "+
			"(clicks and video views are separate). Posts count in the period they were published in (dates in %s, to inclusive), %s. "+
			"%s. avg_post_engagement_rate = mean of per-post rates over posts with a non-zero denominator. "+
			"Rates are fractions (0.0123 = 1.23%%). A unit includes its sub-units.", tz, a[0], m[0]),
		ID: fmt.Sprintf("Interaksi: Facebook reaksi + komentar + dibagikan; Instagram suka + komentar + dibagikan + disimpan "+
			"(klik dan tayangan video terpisah). Postingan dihitung pada periode terbitnya (tanggal menurut %s, to termasuk), %s. "+
			"%s. avg_post_engagement_rate = rata-rata tingkat per postingan atas postingan dengan penyebut bukan nol. "+
			"Tingkat berupa pecahan (0,0123 = 1,23%%). Sebuah unit mencakup sub-unitnya.", tz, a[1], m[1]),
	}
}
