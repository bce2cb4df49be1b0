package rollup

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"

	"yuetan/forms"
	"yuetan/pdf"
	"yuetan/stats"
)

// CityBulletinOptions configure RenderCityBulletin.
type CityBulletinOptions struct {
	Month  time.Time // any instant in the month (Asia/Shanghai)
	Issuer string    // e.g. "市委市政府督查室"
	Now    time.Time // "as of" for what is overdue; zero: time.Now()
}

// CityBulletin maps the month's city figures to the bulletin: the city's
// totals, stage rates and overdue list (computed over every district at
// once) and one row per district (each district's own figures).
func CityBulletin(ctx context.Context, db *dbx.DB, o CityBulletinOptions) (*pdf.BulletinData, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	q := stats.Query{From: o.Month, To: o.Month.AddDate(0, 1, 0)}
	city, err := CityFigures(ctx, db, q, now)
	if err != nil {
		return nil, err
	}
	districts, err := Districts(db)
	if err != nil {
		return nil, err
	}
	if len(districts) == 0 {
		return nil, fmt.Errorf("汇总数据库中还没有任何区（请先运行 yuetan replicate）")
	}
	d := forms.BulletinData(city, o.Month, o.Issuer, fmt.Sprintf("全市%d个区", len(districts)))
	d.Units = "区"
	d.Meta.Serial = fmt.Sprintf("市督通〔%d〕第%d期", o.Month.Year(), int(o.Month.Month()))
	d.Streets = nil
	names := map[string]string{}
	for _, dist := range districts {
		name := dist.Name
		if name == "" {
			name = dist.Code
		}
		names[dist.Code] = name
		f, err := DistrictFigures(ctx, db, dist.Code, q, now)
		if err != nil {
			return nil, fmt.Errorf("区 %s：%w", dist.Code, err)
		}
		row := pdf.StreetFigures{Street: name, Received: f.Total, Accepted: f.Accepted.Total, Overdue: f.OverdueNow}
		for _, s := range f.ByStreet { // every application is in exactly one street's row
			row.Resolved += s.Resolved
			row.OnTime.Num += s.OnTime.OnTime
			row.OnTime.Den += s.OnTime.Done
		}
		d.Streets = append(d.Streets, row)
	}
	// the city's overdue list names each matter's district
	for i, o := range city.Overdue {
		if i < len(d.Overdue) {
			d.Overdue[i].Responsible = names[districtOf(o.Application)] + " " + d.Overdue[i].Responsible
		}
	}
	return d, nil
}

// districtOf is the code of a city view id ("CODE/id").
func districtOf(id string) string {
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			return id[:i]
		}
	}
	return ""
}

// RenderCityBulletin writes the city's monthly 督查通报 as PDF to w.
func RenderCityBulletin(ctx context.Context, w io.Writer, db *dbx.DB, o CityBulletinOptions) error {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	d, err := CityBulletin(ctx, db, o)
	if err != nil {
		return err
	}
	d.Meta.GeneratedAt = o.Now
	return pdf.RenderBulletin(w, *d)
}
