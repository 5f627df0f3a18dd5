"""logistics: places with time zones, vehicles with seals, transloading, per-product export controls

Revision ID: 0013_places_border
Revises: 0013_legal_parties
Create Date: 2026-12-02 05:53:25.595934

"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa

import core.db

PLACES = [{'code': 'chelyabinsk',
  'kind': 'city',
  'country': 'RU',
  'name_ru': 'Челябинск',
  'name_zh': '车里雅宾斯克',
  'name_en': 'Chelyabinsk',
  'latitude': '55.1644',
  'longitude': '61.4368',
  'time_zone': 'Asia/Yekaterinburg',
  'gln': None,
  'position': 1},
 {'code': 'chelyabinsk-station',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Челябинск-Главный',
  'name_zh': '车里雅宾斯克总站',
  'name_en': 'Chelyabinsk-Glavny station',
  'latitude': '55.1437',
  'longitude': '61.4156',
  'time_zone': 'Asia/Yekaterinburg',
  'gln': None,
  'position': 2},
 {'code': 'chelyabinsk-customs',
  'kind': 'customs_post',
  'country': 'RU',
  'name_ru': 'Челябинский таможенный пост',
  'name_zh': '车里雅宾斯克海关',
  'name_en': 'Chelyabinsk customs post',
  'latitude': '55.1600',
  'longitude': '61.3800',
  'time_zone': 'Asia/Yekaterinburg',
  'gln': None,
  'position': 3},
 {'code': 'chelyabinsk-hub',
  'kind': 'warehouse',
  'country': 'RU',
  'name_ru': 'Склад консолидации AgroBridge, Челябинск',
  'name_zh': 'AgroBridge 车里雅宾斯克集货仓',
  'name_en': 'AgroBridge consolidation warehouse, Chelyabinsk',
  'latitude': '55.1930',
  'longitude': '61.3420',
  'time_zone': 'Asia/Yekaterinburg',
  'gln': '4607000000014',
  'position': 4},
 {'code': 'omsk',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Омск',
  'name_zh': '鄂木斯克',
  'name_en': 'Omsk',
  'latitude': '54.9885',
  'longitude': '73.3242',
  'time_zone': 'Asia/Omsk',
  'gln': None,
  'position': 10},
 {'code': 'novosibirsk',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Новосибирск',
  'name_zh': '新西伯利亚',
  'name_en': 'Novosibirsk',
  'latitude': '55.0084',
  'longitude': '82.9357',
  'time_zone': 'Asia/Novosibirsk',
  'gln': None,
  'position': 11},
 {'code': 'krasnoyarsk',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Красноярск',
  'name_zh': '克拉斯诺亚尔斯克',
  'name_en': 'Krasnoyarsk',
  'latitude': '56.0153',
  'longitude': '92.8932',
  'time_zone': 'Asia/Krasnoyarsk',
  'gln': None,
  'position': 12},
 {'code': 'irkutsk',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Иркутск',
  'name_zh': '伊尔库茨克',
  'name_en': 'Irkutsk',
  'latitude': '52.2870',
  'longitude': '104.3050',
  'time_zone': 'Asia/Irkutsk',
  'gln': None,
  'position': 13},
 {'code': 'chita',
  'kind': 'station',
  'country': 'RU',
  'name_ru': 'Чита',
  'name_zh': '赤塔',
  'name_en': 'Chita',
  'latitude': '52.0340',
  'longitude': '113.4990',
  'time_zone': 'Asia/Chita',
  'gln': None,
  'position': 14},
 {'code': 'zabaikalsk',
  'kind': 'crossing',
  'country': 'RU',
  'name_ru': 'Забайкальск',
  'name_zh': '后贝加尔斯克',
  'name_en': 'Zabaikalsk',
  'latitude': '49.6514',
  'longitude': '117.3269',
  'time_zone': 'Asia/Chita',
  'gln': None,
  'position': 20},
 {'code': 'manzhouli',
  'kind': 'crossing',
  'country': 'CN',
  'name_ru': 'Маньчжурия',
  'name_zh': '满洲里',
  'name_en': 'Manzhouli',
  'latitude': '49.5980',
  'longitude': '117.3790',
  'time_zone': 'Asia/Shanghai',
  'gln': None,
  'position': 21},
 {'code': 'blagoveshchensk',
  'kind': 'crossing',
  'country': 'RU',
  'name_ru': 'Благовещенск',
  'name_zh': '布拉戈维申斯克',
  'name_en': 'Blagoveshchensk',
  'latitude': '50.2900',
  'longitude': '127.5270',
  'time_zone': 'Asia/Yakutsk',
  'gln': None,
  'position': 22},
 {'code': 'heihe',
  'kind': 'crossing',
  'country': 'CN',
  'name_ru': 'Хэйхэ',
  'name_zh': '黑河',
  'name_en': 'Heihe',
  'latitude': '50.2450',
  'longitude': '127.4880',
  'time_zone': 'Asia/Shanghai',
  'gln': None,
  'position': 23},
 {'code': 'nizhneleninskoye',
  'kind': 'crossing',
  'country': 'RU',
  'name_ru': 'Нижнеленинское',
  'name_zh': '下列宁斯阔耶',
  'name_en': 'Nizhneleninskoye',
  'latitude': '47.9190',
  'longitude': '132.6250',
  'time_zone': 'Asia/Vladivostok',
  'gln': None,
  'position': 24},
 {'code': 'tongjiang',
  'kind': 'crossing',
  'country': 'CN',
  'name_ru': 'Тунцзян',
  'name_zh': '同江',
  'name_en': 'Tongjiang',
  'latitude': '47.6430',
  'longitude': '132.5060',
  'time_zone': 'Asia/Shanghai',
  'gln': None,
  'position': 25},
 {'code': 'pogranichny',
  'kind': 'crossing',
  'country': 'RU',
  'name_ru': 'Пограничный',
  'name_zh': '波格拉尼奇内',
  'name_en': 'Pogranichny',
  'latitude': '44.4020',
  'longitude': '131.3710',
  'time_zone': 'Asia/Vladivostok',
  'gln': None,
  'position': 26},
 {'code': 'suifenhe',
  'kind': 'crossing',
  'country': 'CN',
  'name_ru': 'Суйфэньхэ',
  'name_zh': '绥芬河',
  'name_en': 'Suifenhe',
  'latitude': '44.3960',
  'longitude': '131.1530',
  'time_zone': 'Asia/Shanghai',
  'gln': None,
  'position': 27},
 {'code': 'harbin',
  'kind': 'city',
  'country': 'CN',
  'name_ru': 'Харбин',
  'name_zh': '哈尔滨',
  'name_en': 'Harbin',
  'latitude': '45.8038',
  'longitude': '126.5350',
  'time_zone': 'Asia/Shanghai',
  'gln': None,
  'position': 30},
 {'code': 'harbin-daowai',
  'kind': 'warehouse',
  'country': 'CN',
  'name_ru': 'Склад в логистической зоне Даовай, Харбин',
  'name_zh': '哈尔滨道外物流园仓库',
  'name_en': 'Harbin, Daowai logistics zone warehouse',
  'latitude': '45.7890',
  'longitude': '126.6530',
  'time_zone': 'Asia/Shanghai',
  'gln': '4607000000021',
  'position': 31}]

DOCUMENT_KINDS = [{'code': 'phytosanitary',
  'applies_to': 'plant',
  'name_ru': 'Фитосанитарный сертификат (ФГИС «Аргус-Фито»)',
  'name_zh': '植物检疫证书',
  'name_en': 'Phytosanitary certificate (Argus-Fito)',
  'position': 1},
 {'code': 'veterinary',
  'applies_to': 'animal',
  'name_ru': 'Ветеринарный сертификат (ФГИС «Меркурий», э-ВСД)',
  'name_zh': '兽医卫生证书',
  'name_en': 'Veterinary certificate (Mercury e-VSD)',
  'position': 2},
 {'code': 'sdiz',
  'applies_to': 'grain',
  'name_ru': 'СДИЗ (ФГИС «Зерно»)',
  'name_zh': '谷物随附文件 (SDIZ)',
  'name_en': 'Grain accompanying document, SDIZ (FGIS Zerno)',
  'position': 3},
 {'code': 'origin',
  'applies_to': 'all',
  'name_ru': 'Сертификат происхождения',
  'name_zh': '原产地证书',
  'name_en': 'Certificate of origin',
  'position': 4},
 {'code': 'invoice',
  'applies_to': 'all',
  'name_ru': 'Коммерческий инвойс',
  'name_zh': '商业发票',
  'name_en': 'Commercial invoice',
  'position': 5},
 {'code': 'packing_list',
  'applies_to': 'all',
  'name_ru': 'Упаковочный лист',
  'name_zh': '装箱单',
  'name_en': 'Packing list',
  'position': 6},
 {'code': 'cmr',
  'applies_to': 'road',
  'name_ru': 'Международная товарно-транспортная накладная (CMR)',
  'name_zh': '国际公路货运单 (CMR)',
  'name_en': 'CMR consignment note',
  'position': 7},
 {'code': 'rail_waybill',
  'applies_to': 'rail',
  'name_ru': 'Железнодорожная накладная СМГС',
  'name_zh': '国际铁路联运运单 (SMGS)',
  'name_en': 'Rail waybill (SMGS)',
  'position': 8}]

EVENT_TYPES = ('picked_up', 'departed_origin', 'in_transit', 'arrived_border', 'transloaded', 'export_customs_cleared', 'border_crossed', 'import_customs_inspection', 'import_customs_released', 'arrived_warehouse', 'out_for_delivery', 'delivered', 'exception')
STATUSES = ('planned', 'picked_up', 'departed_origin', 'in_transit', 'arrived_border', 'transloaded', 'export_customs_cleared', 'border_crossed', 'import_customs_inspection', 'import_customs_released', 'arrived_warehouse', 'out_for_delivery', 'delivered')
DOCUMENT_APPLIES = ('plant', 'animal', 'grain', 'all', 'road', 'rail')

OLD_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t != "transloaded")
OLD_STATUSES = tuple(t for t in STATUSES if t != "transloaded")
OLD_APPLIES = tuple(a for a in DOCUMENT_APPLIES if a != "grain")


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _swap_check(table, name, condition):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.create_check_constraint(op.f(name), condition)


# revision identifiers, used by Alembic.
revision = '0013_places_border'
down_revision = '0013_legal_parties'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('logistics_places',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('time_zone', sa.String(length=40), nullable=False),
    sa.Column('gln', sa.String(length=13), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('city', 'station', 'customs_post', 'crossing', 'warehouse')", name=op.f('ck_logistics_places_kind_known')),
    sa.CheckConstraint('gln IS NULL OR length(gln) = 13', name=op.f('ck_logistics_places_gln_length')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_logistics_places')),
    sa.UniqueConstraint('gln', name=op.f('uq_logistics_places_gln'))
    )
    op.create_table('logistics_vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('leg', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('seals', sa.JSON(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('truck', 'trailer', 'wagon', 'container')", name=op.f('ck_logistics_vehicles_kind_known')),
    sa.CheckConstraint('leg > 0', name=op.f('ck_logistics_vehicles_leg_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['logistics_events.id'], name=op.f('fk_logistics_vehicles_event_id_logistics_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shipment_id'], ['logistics_shipments.id'], name=op.f('fk_logistics_vehicles_shipment_id_logistics_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_vehicles'))
    )
    with op.batch_alter_table('logistics_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logistics_vehicles_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_logistics_vehicles_shipment_leg', ['shipment_id', 'leg'], unique=False)

    with op.batch_alter_table('logistics_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_code', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_logistics_events_place_code'), ['place_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_logistics_events_place_code_logistics_places'), 'logistics_places', ['place_code'], ['code'], ondelete='RESTRICT')

    # ### end Alembic commands ###
    _swap_check("logistics_events", "ck_logistics_events_type_known", _in("type", EVENT_TYPES))
    _swap_check("logistics_shipments", "ck_logistics_shipments_status_known", _in("status", STATUSES))
    _swap_check(
        "logistics_document_kinds", "ck_logistics_document_kinds_applies_known", _in("applies_to", DOCUMENT_APPLIES)
    )
    places = sa.table(
        "logistics_places", sa.column("code"), sa.column("kind"), sa.column("country"), sa.column("name_ru"),
        sa.column("name_zh"), sa.column("name_en"), sa.column("latitude", sa.Numeric(9, 6)),
        sa.column("longitude", sa.Numeric(9, 6)), sa.column("time_zone"), sa.column("gln"),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(places, [
        {**row, "latitude": Decimal(row["latitude"]), "longitude": Decimal(row["longitude"])} for row in PLACES
    ])
    kinds = sa.table(
        "logistics_document_kinds", sa.column("code"), sa.column("applies_to"), sa.column("name_ru"),
        sa.column("name_zh"), sa.column("name_en"), sa.column("position", sa.Integer),
    )
    existing = {row[0] for row in op.get_bind().execute(sa.select(kinds.c.code))}
    op.bulk_insert(kinds, [row for row in DOCUMENT_KINDS if row["code"] not in existing])
    for row in DOCUMENT_KINDS:
        if row["code"] in existing:
            op.execute(
                kinds.update().where(kinds.c.code == row["code"]).values(
                    {k: v for k, v in row.items() if k != "code"}
                )
            )
    # Existing shipments: their one vehicle and container (with the seal) become leg 1.
    shipments = sa.table(
        "logistics_shipments", sa.column("id", sa.Integer), sa.column("mode"), sa.column("vehicle_number"),
        sa.column("container_number"), sa.column("seal_number"),
    )
    vehicles = sa.table(
        "logistics_vehicles", sa.column("shipment_id", sa.Integer), sa.column("leg", sa.Integer),
        sa.column("kind"), sa.column("number"), sa.column("seals", sa.JSON),
    )
    rows = []
    for sid, mode, vehicle, container, seal in op.get_bind().execute(sa.select(shipments)):
        seals = [seal] if seal else []
        if container:
            rows.append({"shipment_id": sid, "leg": 1, "kind": "container", "number": container, "seals": seals})
            seals = []
        if vehicle:
            kind = "wagon" if mode == "rail" else "truck"
            rows.append({"shipment_id": sid, "leg": 1, "kind": kind, "number": vehicle, "seals": seals})
    if rows:
        op.bulk_insert(vehicles, rows)


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('logistics_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_logistics_events_place_code_logistics_places'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_logistics_events_place_code'))
        batch_op.drop_column('place_code')

    with op.batch_alter_table('logistics_vehicles', schema=None) as batch_op:
        batch_op.drop_index('ix_logistics_vehicles_shipment_leg')
        batch_op.drop_index(batch_op.f('ix_logistics_vehicles_event_id'))

    op.drop_table('logistics_vehicles')
    op.drop_table('logistics_places')
    # ### end Alembic commands ###
    op.execute("DELETE FROM logistics_document_kinds WHERE code = 'sdiz'")
    op.execute("UPDATE logistics_document_kinds SET applies_to = 'plant' WHERE applies_to = 'grain'")
    _swap_check(
        "logistics_document_kinds", "ck_logistics_document_kinds_applies_known", _in("applies_to", OLD_APPLIES)
    )
    _swap_check("logistics_shipments", "ck_logistics_shipments_status_known", _in("status", OLD_STATUSES))
    _swap_check("logistics_events", "ck_logistics_events_type_known", _in("type", OLD_EVENT_TYPES))
