"""The default categories drawn from the seed text, with their time limits.

Water, power and heating are accepted and resolved within 24 hours; complex matters
(disputes, facilities) have 15 days; the rest 7 days. Administrators edit them afterwards.
"""

from django.db import migrations

# (code, name, keywords, accept hours, respond hours, resolve days, order)
DEFAULTS = [
    ("property", "物业服务", "物业 保安 保洁 物业费 电梯 门禁 管家", 24, 48, 7, 10),
    ("noise", "噪音扰民", "噪音 吵 扰民 广场舞 装修 喇叭 半夜", 24, 48, 7, 20),
    ("sanitation", "环境卫生", "卫生 垃圾 脏 臭 清运 蚊蝇 老鼠 下水道", 24, 48, 7, 30),
    ("clutter", "乱堆乱放/占道经营", "乱堆乱放 堆放 杂物 占道 出店经营 跨门经营 摆摊", 24, 48, 7, 40),
    ("vehicles", "电动车与停车", "电动车 电瓶车 充电 停车 车位 超速 乱停", 24, 48, 7, 50),
    ("water", "供水", "自来水 水质 发黄 黄水 停水 水压 水管 漏水 水箱", 24, 24, 1, 60),
    ("facilities", "公共设施与体育设施", "路灯 健身器材 篮球场 围栏 护栏 绿化 座椅 游乐", 24, 72, 15, 70),
    ("animals", "宠物与动物卫生", "宠物 狗 猫 宠物医院 犬 粪便 遛狗", 24, 48, 7, 80),
    ("disputes", "矛盾纠纷", "纠纷 矛盾 吵架 邻里 调解 争执", 24, 48, 15, 90),
    ("safety", "安全隐患", "隐患 消防 燃气 漏气 危险 飞线充电 消防通道", 12, 24, 3, 100),
    ("other", "其他", "", 24, 48, 7, 200),
]


def load(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    for code, name, keywords, accept, respond, resolve, order in DEFAULTS:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "keywords": keywords,
                "accept_hours": accept,
                "respond_hours": respond,
                "resolve_days": resolve,
                "sort_order": order,
            },
        )


def unload(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    Category.objects.filter(code__in=[d[0] for d in DEFAULTS], concern__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_grouping_fields")]

    operations = [migrations.RunPython(load, unload)]
