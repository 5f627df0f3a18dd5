"""Exchange rates: the CBR daily file, rates entered by hand, conversions and the rate an order
froze. Below everything that prices, so orders and estimates call it directly."""


def register(app, api):
    from fx import models, seed  # noqa: F401  (tables, demo data)
    from fx.api import blp
    from fx.cli import rates_cli

    api.register_blueprint(blp)
    app.cli.add_command(rates_cli)
