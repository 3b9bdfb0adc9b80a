"""简体中文：推导文档与反向传播跟踪里的全部文字（公式在各语言中相同）。"""

TEXT = {
    # ---------------------------------------------------------------- derive：推导文档
    "d.title": "{name} 的前向传播与反向传播",
    "d.intro": "本推导由 calcgraph 根据计算图自动生成：下面的每个等式、梯度和形状都取自这张图"
               "和算子表，因此对这张图严格成立。",
    "d.dims": "各维度：{dims}。",
    "d.forward": "一、前向传播",
    "d.forward.intro": "前向传播按顺序计算图中的各个等式，从输入和模型参数一直算到目标函数。"
                       "计算的起点是下面这些变量：",
    "d.forward.eqs": "下表按计算顺序列出每个等式、操作数和结果的形状，以及对应的 numpy 代码：",
    "d.backward": "二、反向传播",
    "d.backward.intro": "反向传播沿着与前向传播相反的顺序依次应用链式法则，起点是 "
                        "$∂{j}/∂{j} = 1$。每一步都由某个输出的梯度，求出计算该输出时用到的"
                        "变量 v 的梯度：",
    "d.backward.prod": "其中 prod 运算符在执行必要的操作（如转置和交换输入位置）之后，"
                       "再将其参数相乘，使形状对得上。任何变量的梯度都与该变量本身形状相同。",
    "d.step": "**第 {k} 步**：${grad}$，沿 ${eq}$ 反向传回（运算符 ${via}$）。",
    "d.step.path": "这只是多条路径中的一条，各路径的贡献在第 {sum} 步相加。",
    "d.step.sum": "**第 {k} 步**：有 {n} 条路径在此汇合，把它们对 ${grad}$ 的贡献相加：",
    "d.step.check": "numpy：`{code}`；形状：`{shapes}`。",
    "d.closed": "各参数梯度的完整表达式",
    "d.closed.intro": "把中间变量的梯度逐一代入，就得到每个参数的梯度，"
                      "它只依赖于损失的梯度和前向传播中保存的值：",
    "d.closed.where": "其中",
    "d.shapes": "三、形状",
    "d.shapes.intro": "单个样本的向量在 numpy 中可以写成一维向量 (q,)、推导中常用的列向量 "
                      "(q, 1)，或者行向量 (1, q)；而批量计算时，各个样本是矩阵 (n, q) "
                      "的各行，这里 n = {n}。各变量在这几种写法下的形状：",
    "d.shapes.same": "在每一种写法下，梯度 $∂{j}/∂v$ 都与 v 形状相同。",
    "d.shapes.code": "反向传播每一步在各种写法下的 numpy 代码（行向量和批量两种写法是把"
                     "计算图按该形状重新构建得到的，n = {n}）：",
    "d.twoforms": "同一个梯度的两种写法，同一行代码",
    "d.twoforms.column": "对单个样本，把 ${g}$ 看作列向量 ({q}, 1)，推导中写作",
    "d.twoforms.row": "把 ${g}$ 看作行向量 (1, {q})，同一个梯度则写作",
    "d.twoforms.batch": "两者的数值完全相同。把 n = {n} 个样本按行堆叠成 ${x}$ `{shape}` 后，"
                        "每个梯度都是每行对应一个样本的矩阵，两种写法在代码里都变成同一行 "
                        "numpy：",
    "d.memory": "四、内存",
    "d.memory.intro": "反向传播的各步要读取前向传播算出的值：这些中间值从前向传播开始就一直"
                      "保存在内存中，直到反向传播用完为止（模型参数本来就一直保留）。"
                      "按上面的尺寸，它们占用的字节数为：",
    "d.memory.train": "因此训练时要一直保存 {kept} 字节的前向值，直到反向传播结束。"
                      "预测只做前向传播，每个值用完即可释放：同一时刻最多只需 {peak} 字节。",
    "d.memory.batch": "批量计算时，每个中间值每个样本占一行，所以需要保存的字节数随批量大小"
                      "线性增长：",
    "d.memory.depth": "每增加一个同样宽度的隐藏层，就要多保存该层的 {values}：批量大小为 {n} "
                      "时多 {extra} 字节。网络加深后（批量大小 {n}，训练时需保存的字节数）：",
    "d.memory.nodepth": "这张计算图中没有可以重复堆叠的隐藏层，因此不列出随深度的增长。",
    "d.memory.why": "这就是为什么训练比预测需要更多的内存（在 GPU 上就是显存），"
                    "而且所需的存储随批量大小和网络深度而增长。",
    "d.list": "、",  # between the items of a short list
    "d.values": "五、数值示例",
    "d.values.intro": "一次前向传播的数值（小数组完整列出，大数组给出概要）：",
    "d.values.grads": "以及一次反向传播得到的梯度：",
    "role.input": "输入", "role.param": "参数", "role.label": "标签", "role.constant": "常数",
    "col.variable": "变量", "col.role": "类别", "col.shape": "形状", "col.value": "值",
    "col.step": "步", "col.equation": "等式", "col.shapes": "形状", "col.numpy": "numpy",
    "col.gradient": "梯度", "col.vector": "一维向量 (q,)", "col.column": "列向量 (q, 1)",
    "col.row": "行向量 (1, q)", "col.batch": "批量 (n, q)，n = {n}", "col.bytes": "字节",
    "col.readby": "读取它的运算", "col.total": "合计", "col.batchsize": "批量大小",
    "col.train": "训练：为反向传播保存", "col.predict": "预测：峰值",
    "col.layers": "隐藏层数",
    # ---------------------------------------------------------------- trace：终端中的逐步跟踪
    "t.only": "反向传播第 {k} 步（共 {n} 步）",
    "t.title": "calcgraph 跟踪：{name}",
    "t.form.batch": "批量大小 {n}，每行一个样本",
    "t.form.flat": "单个样本，向量写作 (q,)",
    "t.form.column": "单个样本，向量写作列向量 (q, 1)",
    "t.form.row": "单个样本，向量写作行向量 (1, q)：即批量大小为 1，n = 1",
    "t.forward": "前向传播：",
    "t.forward.what": "按顺序计算每个等式，算出的值保留下来供反向传播使用",
    "t.unreached": "未到达：",
    "t.unreached.what": "{names} 到达不了 {obj}，没有一步传到它们；它们的梯度是与自身同形状的零。",
    "t.full": "完整数值：", "t.full.what": "上表中元素不超过 {n} 个的数组",
    "t.col.step": "步", "t.col.equation": "等式", "t.col.shape": "形状", "t.col.value": "值",
    "t.role.input": "输入", "t.role.param": "参数", "t.role.label": "标签",
    "t.role.constant": "常数",
    "t.backward": "反向传播：", "t.backward.what": "按相反顺序应用链式法则，从 {seed} 开始",
    "t.backward.each": "每一步都由某个输出的梯度，求出参与计算该输出的变量 v 的梯度：",
    "t.backward.prod": "其中 prod 表示先做必要的转置和交换、使形状对齐后再相乘。"
                       "{grad} 的形状总与 v 相同（用 {mark} 标出）。",
    "t.batch.title": "批量大小 {n}",
    "t.batch.column": "单个样本，{g} 写作列向量 ({q}, 1)",
    "t.batch.row": "单个样本，{g} 写作行向量 (1, {q})",
    "t.batch.code": "{n} 行一起算，numpy（第 {k} 步）",
    "t.batch.rows": "n = {n} 个样本各占 {x} {shape} 的一行，每个 {grad} 也是每个样本一行。",
    "t.batch.both": "单个样本梯度的两种写法，在 numpy 中都变成同一行代码：",
    "t.batch.where": "若某一步单个样本的公式与批量的不同，会在标为{label}的一行中给出。",
    "t.row.math": "公式", "t.row.unrolled": "展开", "t.row.numpy": "numpy",
    "t.row.shapes": "形状", "t.row.why": "原因", "t.row.sample": "单个样本",
    "t.row.value": "值", "t.row.via": "经 {via}",
    "t.same": " 与 {v} 形状相同", "t.expected": "  ✗ 应为 {shape}",
    "t.seed": "：反向传播从目标函数开始",
    "t.sum": "：{n} 条路径在此汇合，各路径的贡献相加", "t.sum.step": "  （第 {k} 步）",
    "t.path": " 经 {via}，第 {i} 条路径（共 {n} 条，在第 {k} 步相加）",
    "t.through": "，沿着 ",
    "t.through.after": " 反向传回", "t.title.form": "（{form}）",
    "t.memory": "内存：", "t.memory.what": "反向传播读取的前向值",
    "t.memory.total": "合计",
    "t.memory.why": "这些值要一直保存到反向传播结束（模型参数本来就一直保留）。它们随批量大小和"
                    "层数增长，所以训练比预测需要更多的内存（在 GPU 上就是显存）。",
    "t.broadcast": "前向传播中 {v} {shape} 被广播成 {out}，所以 {grad} 要把 {gout} 沿{over}"
                   "求和",
    "t.over.batch": "批量维（第 0 轴）", "t.over.axis": "第 {axis} 轴", "t.over.axes": "轴 {axes} ",
    # the HTML stepper page (calcgraph html) and the step captions of figures and page
    "s.forward": "前向传播：每个值都已算出并保留",
    "s.follow": "接下来是反向传播第 1 到 {n} 步",
    "s.head": "第 {k} 步（共 {n} 步）：{grad}",
    "s.seed": "，反向传播从目标函数开始",
    "s.sum": "，{n} 条路径在此汇合，各路径的贡献相加",
    "s.through": "反向经过 {eq}", "s.sep": "，",
    "p.title": "{name}：反向传播，一步一步",
    "p.doc": "calcgraph：{name}，一步一步看反向传播",
    "p.prev": "← 上一步", "p.next": "下一步 →",
    "p.show.backward": "显示反向图", "p.show.forward": "显示前向图",
    "p.hint": "← / → 键逐步前进；点击节点查看它的值和梯度",
    "p.info": "点击节点查看它的值、梯度和形状。",
    "p.forward": "前向传播：按顺序的每个等式",
    "p.operator": "运算",
    "p.role.intermediate": "中间变量", "p.role.objective": "目标函数",
    "p.pos0": "前向状态（第 0 步，共 {n} 步）", "p.pos": "第 {k} 步（共 {n} 步）",
    "p.shape": "形状", "p.value": "值", "p.grad.shape": "{grad} 的形状",
    "p.known": "（自第 {k} 步起已知）", "p.computed": "（在第 {k} 步算出）",
}
