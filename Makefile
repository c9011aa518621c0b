# Two commands: `make run` and `make test`. Each installs what it needs first
# (Debian packages from scripts/apt-packages.txt, .venv, the project in editable mode).
PY := .venv/bin/python
SANDBOX_DB ?=

.PHONY: run test setup lint bench translations screenshots clean

setup:
	@bash scripts/bootstrap.sh

# SANDBOX_DB=postgresql+asyncpg://postgres@HOST/DB: the sandbox on PostgreSQL, with one worker
# (python -m console.worker as its own login sandbox_worker, started and stopped with the console)
run: setup
	@$(PY) main.py --sandbox --user demo-admin $(if $(SANDBOX_DB),--db $(SANDBOX_DB))

test: setup
	@bash scripts/test.sh

lint: setup
	$(PY) -m ruff check console tests bench main.py
	$(PY) -m mypy
	.venv/bin/lint-imports

translations: setup
	.venv/bin/pyside6-lupdate $$(find console -name '*.py') -ts resources/i18n/shihou_en.ts -no-obsolete
	$(PY) scripts/translate_en.py
	bash scripts/bootstrap.sh

screenshots: setup
	QT_QPA_PLATFORM= xvfb-run -a -s "-screen 0 1600x1000x24" $(PY) main.py --sandbox --user demo-admin \
	  --db sqlite+aiosqlite:///$$(mktemp -d)/shots.db --screenshot docs/lookup.png --pane lookup
clean:
	rm -rf .venv build *.egg-info
