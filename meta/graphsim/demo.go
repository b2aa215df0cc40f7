package graphsim

import "fmt"

// DemoAccount is a sandbox channel: a Facebook Page and its linked Instagram
// account, reached with one Page token.
type DemoAccount struct {
	Unit        string // the office, e.g. "KPU Kota Salatiga"
	PageID      string
	PageName    string
	PageToken   string // sandbox-only token
	IGID        string
	IGUsername  string
	PageFollows int
	IGFollows   int
}

// DemoAccounts describes the sandbox channels.
func DemoAccounts() []DemoAccount {
	return []DemoAccount{
		{Unit: "KPU Kota Salatiga", PageID: "104857600000001", PageName: "KPU Kota Salatiga",
			PageToken: "sandbox-page-token-kpu-kota-salatiga", IGID: "17841400000000001", IGUsername: "kpukotasalatiga",
			PageFollows: 8200, IGFollows: 5400},
		{Unit: "KPU Provinsi Jawa Tengah", PageID: "104857600000002", PageName: "KPU Provinsi Jawa Tengah",
			PageToken: "sandbox-page-token-kpu-prov-jateng", IGID: "17841400000000002", IGUsername: "kpujawatengah",
			PageFollows: 64000, IGFollows: 41000},
	}
}

// SetupDemo registers DemoAccounts and seeds `days` days of history
// (one or two posts a day on each account). Use 90 for the sandbox.
func (s *Sim) SetupDemo(days int) ([]DemoAccount, error) {
	accts := DemoAccounts()
	for _, a := range accts {
		if err := s.AddPage(a.PageID, a.PageName, a.PageToken); err != nil {
			return nil, fmt.Errorf("graphsim: demo %s: %w", a.Unit, err)
		}
		if err := s.AddIGAccount(a.IGID, a.IGUsername, a.PageID); err != nil {
			return nil, fmt.Errorf("graphsim: demo %s: %w", a.Unit, err)
		}
		if err := s.SetFollowers(a.PageID, a.PageFollows); err != nil {
			return nil, err
		}
		if err := s.SetFollowers(a.IGID, a.IGFollows); err != nil {
			return nil, err
		}
		if err := s.SeedHistory(a.PageID, days, 2); err != nil {
			return nil, err
		}
		if err := s.SeedHistory(a.IGID, days, 1); err != nil {
			return nil, err
		}
	}
	return accts, nil
}
