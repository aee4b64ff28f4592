-- projects: every project known to the database, for the project filter. No parameters.
SELECT project_slug FROM projects WHERE project_slug IS NOT NULL
UNION
SELECT DISTINCT project_slug FROM builds
ORDER BY project_slug
