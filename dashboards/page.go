package dashboards

import (
	"embed"
	"html/template"
	"io"
	"net/http"
)

//go:embed assets templates
var assetFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(assetFiles, "templates/page.html.tmpl"))

// pageData fills templates/page.html.tmpl. Static pages inline every asset and the data.
type pageData struct {
	Static   bool
	Title    string
	UPlotCSS template.CSS
	AppCSS   template.CSS
	UPlotJS  template.JS
	AppJS    template.JS
	DataJSON template.JS
}

func (s *server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err := renderPage(w, pageData{Title: "buildlake dashboard"}); err != nil {
		s.o.logger().Error("dashboard page failed", "err", err)
	}
}

func renderPage(w io.Writer, d pageData) error { return pageTemplate.Execute(w, d) }

func mustAsset(name string) string {
	b, err := assetFiles.ReadFile("assets/" + name)
	if err != nil {
		panic("dashboards: missing embedded asset " + name) // a build defect, caught by every test
	}
	return string(b)
}
