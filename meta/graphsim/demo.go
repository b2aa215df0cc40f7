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

// The sandbox's Facebook users: the humas officer who manages every demo
// Page (the login dialog continues as them), and a colleague who manages
// none (switch to them with "Not you?" in the dialog).
const (
	DemoUserID      = "1000000000000001"
	DemoUserName    = "Rina Humas"
	DemoNoPagesID   = "1000000000000002"
	DemoNoPagesName = "Tamu Tanpa Page"
)

// SetupDemo registers DemoAccounts and seeds `days` days of history
// (one or two posts a day on each account), and the Facebook users who
// log in through the dialog (DemoUserID manages every demo Page). Use 90
// for the sandbox.
func (s *Sim) SetupDemo(days int) ([]DemoAccount, error) {
	accts := DemoAccounts()
	if err := s.AddUser(DemoUserID, DemoUserName); err != nil {
		return nil, err
	}
	if err := s.AddUser(DemoNoPagesID, DemoNoPagesName); err != nil {
		return nil, err
	}
	for _, a := range accts {
		if err := s.AddPage(a.PageID, a.PageName, a.PageToken); err != nil {
			return nil, fmt.Errorf("graphsim: demo %s: %w", a.Unit, err)
		}
		if err := s.AddIGAccount(a.IGID, a.IGUsername, a.PageID); err != nil {
			return nil, fmt.Errorf("graphsim: demo %s: %w", a.Unit, err)
		}
		if err := s.AddPageRole(DemoUserID, a.PageID); err != nil {
			return nil, err
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
