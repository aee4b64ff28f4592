-- branches: the 200 busiest branches, for the branch filter. $1 project_slug ('' = every project).
SELECT branch, count(*) AS builds
FROM builds
WHERE branch IS NOT NULL AND ($1 = '' OR project_slug = $1)
GROUP BY branch
ORDER BY builds DESC, branch
LIMIT 200
