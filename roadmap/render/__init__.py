"""Render: turn a Plan (or the whole library) into HTML, PDF, iCalendar, charts, the explain text
and the dashboard. Renderers decide nothing."""
